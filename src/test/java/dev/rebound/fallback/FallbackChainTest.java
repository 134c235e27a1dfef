package dev.rebound.fallback;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.rebound.classify.ErrorCategory;
import dev.rebound.config.FallbackReason;
import dev.rebound.config.FallbackStep;
import dev.rebound.request.DeadLetterReason;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class FallbackChainTest {

    private static final FallbackStep LONG = new FallbackStep.ToTarget(Set.of("CONTEXT_TOO_LONG"), "chat-long");
    private static final FallbackStep OTHER = new FallbackStep.ToTarget(
            Set.of("SERVER_ERROR", "TIMEOUT", "CIRCUIT_OPEN", "RETRIES_EXHAUSTED"), "other-chat");
    private static final FallbackStep CACHE = new FallbackStep.FromCache(FallbackStep.DEFAULT_ON, Duration.ofHours(1), 100);
    private static final FallbackStep STATIC = new FallbackStep.Static(FallbackStep.DEFAULT_ON, TextNode.valueOf("busy"));
    private static final List<FallbackStep> CHAIN = List.of(LONG, OTHER, CACHE, STATIC);

    private static Trigger why(final ErrorCategory c, final DeadLetterReason r) {
        return Trigger.of(c, r, "x");
    }

    @Test
    void shouldPassOverTheStepsARequestLeavesOutKeepingTheChainsOrder() {
        final Trigger down = why(ErrorCategory.SERVER_ERROR, DeadLetterReason.RETRIES_EXHAUSTED);
        assertThat(FallbackChain.next(CHAIN, 0, down, step -> step == 4 || step == 3)).as("steps 1-based: cache first").hasValue(2);
        assertThat(FallbackChain.next(CHAIN, 0, down, step -> step == 4)).hasValue(3);
        assertThat(FallbackChain.next(CHAIN, 0, down, step -> false)).isEqualTo(OptionalInt.empty());
        assertThat(FallbackChain.handles(CHAIN, down, step -> false)).as("no fallback at all").isFalse();
        assertThat(FallbackChain.handles(CHAIN, down, step -> step == 1)).as("step 1 does not answer SERVER_ERROR").isFalse();
    }

    @Test
    void shouldTryStepsInOrderFromTheFirstThatMatches() {
        final Trigger down = why(ErrorCategory.SERVER_ERROR, DeadLetterReason.RETRIES_EXHAUSTED);
        assertThat(FallbackChain.next(CHAIN, 0, down)).hasValue(1);
        assertThat(FallbackChain.next(CHAIN, 2, down)).as("after the other target failed: the cache").hasValue(2);
        assertThat(FallbackChain.next(CHAIN, 3, down)).hasValue(3);
        assertThat(FallbackChain.next(CHAIN, 4, down)).as("every step tried").isEqualTo(OptionalInt.empty());
    }

    @Test
    void shouldRouteByReason() {
        assertThat(FallbackChain.next(CHAIN, 0, why(ErrorCategory.CONTEXT_TOO_LONG, DeadLetterReason.NON_RETRYABLE)))
                .as("a context-length error goes to the larger-context target").hasValue(0);
        assertThat(FallbackChain.next(CHAIN, 1, why(ErrorCategory.CONTEXT_TOO_LONG, DeadLetterReason.NON_RETRYABLE)))
                .as("and after it, not to the other provider, which has the same limit: the cache").hasValue(2);
        assertThat(FallbackChain.next(CHAIN, 0, new Trigger(ErrorCategory.CIRCUIT_OPEN, FallbackReason.DISABLED, "off")))
                .as("a disabled target goes to the chain").hasValue(1);
    }

    @Test
    void shouldMatchAReasonAsWellAsACategory() {
        final FallbackStep onBudget = new FallbackStep.Static(Set.of("RETRY_BUDGET_EXHAUSTED"), TextNode.valueOf("later"));
        assertThat(FallbackChain.matches(onBudget, why(ErrorCategory.SERVER_ERROR, DeadLetterReason.RETRY_BUDGET_EXHAUSTED))).isTrue();
        assertThat(FallbackChain.matches(onBudget, why(ErrorCategory.SERVER_ERROR, DeadLetterReason.RETRIES_EXHAUSTED))).isFalse();
    }

    @Test
    void shouldLeaveBadRequestsAndBadCredentialsToTheDeadLetterByDefault() {
        assertThat(FallbackChain.handles(List.of(CACHE, STATIC), why(ErrorCategory.VALIDATION, DeadLetterReason.NON_RETRYABLE))).isFalse();
        assertThat(FallbackChain.handles(List.of(CACHE, STATIC), why(ErrorCategory.AUTHENTICATION, DeadLetterReason.NON_RETRYABLE)))
                .isFalse();
        assertThat(FallbackChain.handles(List.of(), why(ErrorCategory.SERVER_ERROR, DeadLetterReason.RETRIES_EXHAUSTED))).isFalse();
        assertThat(why(ErrorCategory.VALIDATION, DeadLetterReason.NON_RETRYABLE).deadLetterReason()).isEqualTo(DeadLetterReason.NON_RETRYABLE);
        assertThat(new Trigger(ErrorCategory.CIRCUIT_OPEN, FallbackReason.DISABLED, "off").deadLetterReason()).isEqualTo(DeadLetterReason.DEADLINE_EXCEEDED);
    }
}
