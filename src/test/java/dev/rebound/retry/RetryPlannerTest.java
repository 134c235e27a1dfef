package dev.rebound.retry;

import dev.rebound.classify.Classification;
import dev.rebound.classify.ErrorCategory;
import dev.rebound.config.RetrySettings;
import dev.rebound.config.TargetConfig;
import dev.rebound.request.DeadLetterReason;
import dev.rebound.testkit.Configs;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class RetryPlannerTest {

    private static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");
    private final TargetConfig llm = Configs.twoTargets("http://h").target("llm").orElseThrow();
    private final TargetRetryState roomy = TargetRetryState.initial(3);

    private static Classification failure(final ErrorCategory c, final Duration hint) {
        return new Classification(c, 503, "boom", Optional.ofNullable(hint));
    }

    private RetryDecision decide(final Classification f, final int attempt, final Instant deadline, final TargetRetryState state,
                                 final boolean global) {
        return RetryPlanner.decide(f, new RetryPlanner.Attempted(attempt, Optional.empty(), deadline), llm,
                new RetryPlanner.Caps(state, RetrySettings.DEFAULT, () -> global), NOW, new SplittableRandom(1));
    }

    @Test
    void shouldRetryARetryableFailureAfterTheBackoff() {
        final RetryDecision d = decide(failure(ErrorCategory.SERVER_ERROR, null), 1, null, roomy, true);
        assertThat(d).isEqualTo(new RetryDecision.Retry(Duration.ofSeconds(1), NOW.plusSeconds(1), Duration.ofSeconds(1)));
    }

    @Test
    void shouldNeverRetryANonRetryableFailure() {
        final RetryDecision d = decide(failure(ErrorCategory.AUTHENTICATION, null), 1, null, roomy, true);
        assertThat(d).isInstanceOfSatisfying(RetryDecision.GiveUp.class,
                g -> assertThat(g.reason()).isEqualTo(DeadLetterReason.NON_RETRYABLE));
    }

    @Test
    void shouldStopAtMaxAttempts() {
        final RetryDecision d = decide(failure(ErrorCategory.TIMEOUT, null), 3, null, roomy, true);
        assertThat(d).isInstanceOfSatisfying(RetryDecision.GiveUp.class,
                g -> assertThat(g.reason()).isEqualTo(DeadLetterReason.RETRIES_EXHAUSTED));
    }

    @Test
    void shouldStopAtTheRequestsMaxAttemptsSayingThePolicyLimitedIt() {
        final RetryDecision d = RetryPlanner.decide(failure(ErrorCategory.TIMEOUT, null),
                new RetryPlanner.Attempted(2, Optional.empty(), null, OptionalInt.of(2)), llm,
                new RetryPlanner.Caps(roomy, RetrySettings.DEFAULT, () -> true), NOW, new SplittableRandom(1));
        assertThat(d).isInstanceOfSatisfying(RetryDecision.GiveUp.class, g -> {
            assertThat(g.reason()).isEqualTo(DeadLetterReason.RETRIES_EXHAUSTED);
            assertThat(g.message()).endsWith("; 2 of 2 attempts used (the request's policy limited it to 2; the target allows 3)");
        });
        final RetryDecision below = RetryPlanner.decide(failure(ErrorCategory.TIMEOUT, null),
                new RetryPlanner.Attempted(1, Optional.empty(), null, OptionalInt.of(2)), llm,
                new RetryPlanner.Caps(roomy, RetrySettings.DEFAULT, () -> true), NOW, new SplittableRandom(1));
        assertThat(below).as("below the request's limit: a retry").isInstanceOf(RetryDecision.Retry.class);
    }

    @Test
    void shouldStopEarlierWhenAdaptiveRetryLoweredTheLimit() {
        final TargetRetryState lowered = new TargetRetryState(roomy.counts(), 1, 0);
        final RetryDecision d = decide(failure(ErrorCategory.TIMEOUT, null), 1, null, lowered, true);
        assertThat(d).isInstanceOfSatisfying(RetryDecision.GiveUp.class, g -> {
            assertThat(g.reason()).isEqualTo(DeadLetterReason.RETRIES_EXHAUSTED);
            assertThat(g.message()).contains("adaptive retry lowered the limit from 3");
        });
    }

    @Test
    void shouldGiveUpWhenTheWaitWouldEndAfterTheDeadline() {
        final RetryDecision d = decide(failure(ErrorCategory.RATE_LIMITED, Duration.ofSeconds(30)), 1, NOW.plusSeconds(10), roomy, true);
        assertThat(d).isInstanceOfSatisfying(RetryDecision.GiveUp.class,
                g -> assertThat(g.reason()).isEqualTo(DeadLetterReason.DEADLINE_EXCEEDED));
    }

    @Test
    void shouldRouteALongHintToTheTierThatFitsIt() {
        final RetryDecision d = decide(failure(ErrorCategory.RATE_LIMITED, Duration.ofMinutes(6)), 1, null, roomy, true);
        assertThat(d).isEqualTo(new RetryDecision.Retry(Duration.ofMinutes(6), NOW.plus(Duration.ofMinutes(6)), Duration.ofMinutes(10)));
    }

    @Test
    void shouldRefuseWhenTheTargetBudgetIsSpentWithoutTakingAGlobalPermit() {
        TargetRetryState spent = roomy;
        for (int i = 0; i < 10; i++) {
            spent = spent.onRetry(NOW);
        }
        final boolean[] asked = {false};
        final RetryDecision d = RetryPlanner.decide(failure(ErrorCategory.SERVER_ERROR, null),
                new RetryPlanner.Attempted(1, Optional.empty(), null), llm,
                new RetryPlanner.Caps(spent, RetrySettings.DEFAULT, () -> asked[0] = true), NOW, new SplittableRandom(1));
        assertThat(d).isInstanceOfSatisfying(RetryDecision.GiveUp.class,
                g -> assertThat(g.reason()).isEqualTo(DeadLetterReason.RETRY_BUDGET_EXHAUSTED));
        assertThat(asked[0]).isFalse();
    }

    @Test
    void shouldRefuseWhenTheInstanceWideCapIsReached() {
        final RetryDecision d = decide(failure(ErrorCategory.SERVER_ERROR, null), 1, null, roomy, false);
        assertThat(d).isInstanceOfSatisfying(RetryDecision.GiveUp.class, g -> {
            assertThat(g.reason()).isEqualTo(DeadLetterReason.RETRY_BUDGET_EXHAUSTED);
            assertThat(g.message()).contains("instance-wide cap");
        });
    }
}
