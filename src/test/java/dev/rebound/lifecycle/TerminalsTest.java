package dev.rebound.lifecycle;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.rebound.classify.Classification;
import dev.rebound.classify.ErrorCategory;
import dev.rebound.config.FallbackReason;
import dev.rebound.config.ReboundConfig;
import dev.rebound.fallback.Trigger;
import dev.rebound.request.AgentRequest;
import dev.rebound.request.AgentResult;
import dev.rebound.request.Attempt;
import dev.rebound.request.DeadLetter;
import dev.rebound.request.DeadLetterReason;
import dev.rebound.request.EffectivePolicy;
import dev.rebound.request.FallbackFailure;
import dev.rebound.request.ParseResult;
import dev.rebound.request.RequestParser;
import dev.rebound.request.Source;
import dev.rebound.testkit.Configs;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The terminal records of a request: what each says, clipped and with secrets masked. */
class TerminalsTest {

    private static final Instant T0 = Instant.parse("2026-11-30T12:00:00Z");
    private static final String SECRET = "sk-test-SECRET-42";

    private static final ReboundConfig CONFIG = Configs.parse("""
            kafka:
              application.id: rebound-test
            targets:
              llm:
                url: http://127.0.0.1:1/v1/chat
            """);

    private final Terminals terminals = new Terminals(text -> text.replace(SECRET, "***"));

    private static InFlightEntry entry() {
        final String json = "{\"id\":\"r1\",\"target\":\"llm\",\"payload\":{\"q\":\"" + SECRET + "\"},\"metadata\":{\"who\":\"" + SECRET + "\"}}";
        final ParseResult parsed = new RequestParser(CONFIG.targets(), CONFIG.limits()).parse(json.getBytes(StandardCharsets.UTF_8), T0);
        final AgentRequest request = ((ParseResult.Valid) parsed).request();
        return InFlightEntry.first("key-r1", request, T0, new Source("agent-calls", 0, 7));
    }

    private Attempt failedAttempt(final ErrorCategory category, final String message) {
        return terminals.attempt("llm", 1, new CallOutcome.Failed(new Classification(category, 503, message, Optional.of(Duration.ofSeconds(3))),
                T0, 40));
    }

    @Test
    void shouldRecordAFailedAttemptWithItsCategorySeverityAndHint() {
        final Attempt a = failedAttempt(ErrorCategory.SERVER_ERROR, "upstream said no");

        assertThat(a.category()).isEqualTo("SERVER_ERROR");
        assertThat(a.severity()).isEqualTo(ErrorCategory.SERVER_ERROR.severity().name());
        assertThat(a.httpStatus()).isEqualTo(503);
        assertThat(a.retryAfterMs()).isEqualTo(3_000L);
        assertThat(a.durationMs()).isEqualTo(40);
    }

    @Test
    void shouldClipAndMaskAnAttemptsMessage() {
        final Attempt a = failedAttempt(ErrorCategory.SERVER_ERROR, "key " + SECRET + " refused " + "x".repeat(5_000));

        assertThat(a.message()).contains("key *** refused").doesNotContain(SECRET);
        assertThat(a.message().length()).isLessThanOrEqualTo(Terminals.MAX_ERROR_CHARS + 1);
    }

    @Test
    void shouldStateTheEffectivePolicyInEveryRecordOfARequestThatRan() {
        final Terminals under = terminals.under(CONFIG);
        final EffectivePolicy targets = new EffectivePolicy(3, List.of(), 30_000, null);
        final DeadLetter dl = under.gaveUp(entry(), Trigger.of(ErrorCategory.TIMEOUT, DeadLetterReason.RETRIES_EXHAUSTED, "3 of 3"), T0);
        assertThat(dl.policy()).as("a request without a policy runs under its target's").isEqualTo(targets);
        assertThat(Terminals.trimmed(dl).policy()).as("kept when trimmed: it is small").isEqualTo(targets);
        assertThat(under.deadlineExceeded(entry(), T0).policy()).isEqualTo(targets);
        assertThat(under.processingError(entry(), "boom", T0).policy()).isEqualTo(targets);
        assertThat(under.fallback(entry(), "static", TextNode.valueOf("busy"), null, 0, T0).policy()).isEqualTo(targets);
        assertThat(under.targetGone(entry(), T0).policy()).as("no target: nothing to narrow").isNull();
        assertThat(under.rejected(new ParseResult.Rejected(DeadLetterReason.INVALID_REQUEST, "bad", "r1", "llm", null, null),
                new Source("agent-calls", 0, 1), T0).policy()).as("never ran").isNull();
        assertThat(terminals.gaveUp(entry(), Trigger.of(ErrorCategory.TIMEOUT, DeadLetterReason.RETRIES_EXHAUSTED, "x"), T0).policy())
                .as("terminals that know no configuration").isNull();
    }

    @Test
    void shouldDeadLetterWithThePrimarysReasonAndItsCategory() {
        final DeadLetter dl = terminals.gaveUp(entry(), Trigger.of(ErrorCategory.TIMEOUT, DeadLetterReason.RETRIES_EXHAUSTED, "3 of 3"),
                T0.plusSeconds(5));

        assertThat(dl.reason()).isEqualTo(DeadLetterReason.RETRIES_EXHAUSTED);
        assertThat(dl.category()).isEqualTo("TIMEOUT");
        assertThat(dl.severity()).isEqualTo(ErrorCategory.TIMEOUT.severity().name());
        assertThat(dl.id()).isEqualTo("r1");
        assertThat(dl.source()).isEqualTo(new Source("agent-calls", 0, 7));
        assertThat(dl.metadata().toString()).doesNotContain(SECRET).contains("***");
        assertThat(dl.request().toString()).doesNotContain(SECRET);
    }

    @Test
    void shouldDeadLetterADisabledTargetAsPastItsDeadline() {
        final DeadLetter dl = terminals.gaveUp(entry(), new Trigger(ErrorCategory.CIRCUIT_OPEN, FallbackReason.DISABLED, "off"), T0);

        assertThat(dl.reason()).isEqualTo(DeadLetterReason.DEADLINE_EXCEEDED);
    }

    @Test
    void shouldNameTheCircuitWhenItKeptTheRequestFromItsTarget() {
        final DeadLetter dl = terminals.circuitOpen(entry(), "the circuit of llm is OPEN", T0);

        assertThat(dl.reason()).isEqualTo(DeadLetterReason.CIRCUIT_OPEN);
        assertThat(dl.category()).isEqualTo("CIRCUIT_OPEN");
        assertThat(dl.severity()).isEqualTo("MEDIUM");
        assertThat(dl.message()).startsWith("the circuit of llm is OPEN; it would not admit");
    }

    @Test
    void shouldListEveryFallbackStepThatFailed() {
        final InFlightEntry e = entry().because(Trigger.of(ErrorCategory.SERVER_ERROR, DeadLetterReason.RETRIES_EXHAUSTED, "llm failed"))
                .stepFailed(new FallbackFailure(1, "other", "TIMEOUT")).stepFailed(new FallbackFailure(2, "cache", "no entry"));

        final DeadLetter dl = terminals.fallbackFailed(e, T0);

        assertThat(dl.reason()).isEqualTo(DeadLetterReason.FALLBACK_FAILED);
        assertThat(dl.category()).isEqualTo("SERVER_ERROR");
        assertThat(dl.message()).isEqualTo("llm failed; no fallback step could answer: [1 other] TIMEOUT; [2 cache] no entry");
        assertThat(dl.fallback()).hasSize(2);
    }

    @Test
    void shouldServeAFallbackNamingTheTriggerWhenNoCallWasMade() {
        final InFlightEntry e = entry().because(new Trigger(ErrorCategory.CIRCUIT_OPEN, FallbackReason.CIRCUIT_OPEN, "llm was not called"));

        final AgentResult r = terminals.fallback(e, "static", TextNode.valueOf("busy"), null, 0, T0.plusMillis(20));

        assertThat(r.outcome()).isEqualTo(AgentResult.FALLBACK);
        assertThat(r.degraded()).isTrue();
        assertThat(r.servedBy()).isEqualTo("static");
        assertThat(r.lastError().category()).isEqualTo("CIRCUIT_OPEN");
        assertThat(r.lastError().message()).isEqualTo("llm was not called");
        assertThat(r.latencyMs()).isEqualTo(20);
    }

    @Test
    void shouldTrimADeadLetterToWhatStillSaysWhatHappened() {
        final InFlightEntry e = entry().ended(failedAttempt(ErrorCategory.TIMEOUT, "slow"));
        final DeadLetter full = terminals.gaveUp(e, Trigger.of(ErrorCategory.TIMEOUT, DeadLetterReason.RETRIES_EXHAUSTED, "gave up"), T0);

        final DeadLetter trimmed = Terminals.trimmed(full);

        assertThat(full.attempts()).hasSize(1);
        assertThat(trimmed.attempts()).isEmpty();
        assertThat(trimmed.request()).isNull();
        assertThat(trimmed.source()).isEqualTo(full.source());
        assertThat(trimmed.reason()).isEqualTo(full.reason());
        assertThat(trimmed.message()).startsWith("gave up [attempt history and request echo dropped");
    }
}
