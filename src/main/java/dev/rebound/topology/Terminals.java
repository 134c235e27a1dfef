package dev.rebound.topology;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rebound.classify.Classification;
import dev.rebound.classify.ErrorCategory;
import dev.rebound.execute.CallOutcome;
import dev.rebound.execute.CallSpec;
import dev.rebound.fallback.Trigger;
import dev.rebound.request.AgentRequest;
import dev.rebound.request.AgentResult;
import dev.rebound.request.Attempt;
import dev.rebound.request.DeadLetter;
import dev.rebound.request.DeadLetterReason;
import dev.rebound.request.ErrorInfo;
import dev.rebound.request.FallbackFailure;
import dev.rebound.request.ParseResult;
import dev.rebound.request.RequestEcho;
import dev.rebound.request.Source;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Builds terminal records. Pure: a function of the in-flight entry, the outcome and the time.
 */
final class Terminals {

    private Terminals() {
    }

    static AgentResult succeeded(final InFlightEntry entry, final CallSpec spec, final CallOutcome.Success s, final Instant now) {
        final AgentRequest r = entry.agentRequest();
        final List<Attempt> failed = entry.attempts();
        final ErrorInfo lastError = failed.isEmpty() ? null : errorInfo(failed.get(failed.size() - 1));
        return new AgentResult(r.id(), r.target(), AgentResult.SUCCEEDED, spec.target(), false, s.body(), s.status(),
                spec.attempt(), lastError, latency(entry, now), r.metadata());
    }

    static Attempt attempt(final CallSpec spec, final CallOutcome.Failed f) {
        final Classification c = f.classification();
        return new Attempt(spec.attempt(), f.startedAt(), spec.target(), c.category().name(), c.severity().name(),
                c.httpStatus(), c.message(), f.durationMs(), c.retryAfter().map(Duration::toMillis).orElse(null), null);
    }

    /** The result served by a fallback step: {@code FALLBACK}, degraded, naming the step. */
    static AgentResult fallback(final InFlightEntry entry, final String servedBy, final JsonNode response, final Integer httpStatus,
                                final int calls, final Instant now) {
        final AgentRequest r = entry.agentRequest();
        final List<Attempt> failed = entry.attempts();
        final ErrorInfo lastError = !failed.isEmpty() ? errorInfo(failed.get(failed.size() - 1))
                : entry.trigger() == null ? null : new ErrorInfo(entry.trigger().category(), null, entry.trigger().message());
        return new AgentResult(r.id(), r.target(), AgentResult.FALLBACK, servedBy, true, response, httpStatus, calls, lastError,
                latency(entry, now), r.metadata());
    }

    /** The dead letter for a request the primary could not answer and no fallback step applied to. */
    static DeadLetter gaveUp(final InFlightEntry entry, final Trigger why, final Instant now) {
        return ofEntry(entry, why.deadLetterReason(), why.category(), severity(why.category()), why.message(), now);
    }

    /** The dead letter for a request whose every applicable fallback step failed, each one listed. */
    static DeadLetter fallbackFailed(final InFlightEntry entry, final Instant now) {
        final Trigger why = entry.trigger();
        final StringBuilder message = new StringBuilder(why.message()).append("; no fallback step could answer:");
        for (final FallbackFailure f : entry.fallbackFailed()) {
            message.append(" [").append(f.step()).append(' ').append(f.servedBy()).append("] ").append(f.error()).append(';');
        }
        message.setLength(message.length() - 1);
        final AgentRequest r = entry.agentRequest();
        return new DeadLetter(r.id(), r.target(), DeadLetterReason.FALLBACK_FAILED, why.category(), severity(why.category()),
                message.toString(), entry.attempts(), echo(entry), entry.source(), entry.firstSeenAt(), now, r.metadata(),
                entry.fallbackFailed());
    }

    private static String severity(final String category) {
        try {
            return ErrorCategory.valueOf(category).severity().name();
        } catch (final IllegalArgumentException | NullPointerException e) {
            return null;
        }
    }

    /** The dead letter for a request whose deadline passed before its next attempt could start. */
    static DeadLetter deadlineExceeded(final InFlightEntry entry, final Instant now) {
        final Attempt last = entry.attempts().isEmpty() ? null : entry.attempts().get(entry.attempts().size() - 1);
        return ofEntry(entry, DeadLetterReason.DEADLINE_EXCEEDED, last == null ? null : last.category(),
                last == null ? null : last.severity(),
                "the deadline " + entry.deadline() + " passed before attempt " + entry.attempt() + " could start", now);
    }

    /** The dead letter for a request that a circuit kept from its target until its deadline. */
    static DeadLetter circuitOpen(final InFlightEntry entry, final String why, final Instant now) {
        return ofEntry(entry, DeadLetterReason.CIRCUIT_OPEN, "CIRCUIT_OPEN", "MEDIUM",
                why + "; it would not admit the request before its deadline " + entry.deadline(), now);
    }

    /** The dead letter for a request whose target an operator kept disabled until its deadline. */
    static DeadLetter deadlineWhileDisabled(final InFlightEntry entry, final String why, final Instant now) {
        return ofEntry(entry, DeadLetterReason.DEADLINE_EXCEEDED, null, null,
                why + "; it stayed disabled until the request's deadline " + entry.deadline(), now);
    }

    /** The dead letter for a request whose target was removed from the configuration while it was in flight. */
    static DeadLetter targetGone(final InFlightEntry entry, final Instant now) {
        return ofEntry(entry, DeadLetterReason.UNKNOWN_TARGET, null, null, "target '" + entry.agentRequest().target()
                + "' is no longer configured; the request was in flight when Rebound restarted without it", now);
    }

    /** A dead letter for an in-flight request: its id, target, attempt history, echo and metadata. */
    private static DeadLetter ofEntry(final InFlightEntry entry, final DeadLetterReason reason, final String category,
                                      final String severity, final String message, final Instant now) {
        final AgentRequest r = entry.agentRequest();
        return new DeadLetter(r.id(), r.target(), reason, category, severity, message, entry.attempts(), echo(entry),
                entry.source(), entry.firstSeenAt(), now, r.metadata(), null);
    }

    static DeadLetter rejected(final ParseResult.Rejected rejected, final Source source, final Instant now) {
        return new DeadLetter(rejected.id(), rejected.target(), rejected.reason(), null, null, rejected.message(), List.of(),
                rejected.echo(), source, now, now, rejected.metadata(), null);
    }

    private static JsonNode echo(final InFlightEntry entry) {
        return RequestEcho.ofParsed(entry.request(), entry.request().toString().length());
    }

    private static ErrorInfo errorInfo(final Attempt a) {
        return new ErrorInfo(a.category(), a.httpStatus(), a.message());
    }

    private static long latency(final InFlightEntry entry, final Instant now) {
        return Math.max(0, Duration.between(entry.firstSeenAt(), now).toMillis());
    }
}
