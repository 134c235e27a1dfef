package dev.rebound.lifecycle;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rebound.classify.Classification;
import dev.rebound.classify.ErrorCategory;
import dev.rebound.config.ReboundConfig;
import dev.rebound.config.TargetConfig;
import dev.rebound.fallback.Trigger;
import dev.rebound.request.AgentRequest;
import dev.rebound.request.AgentResult;
import dev.rebound.request.Attempt;
import dev.rebound.request.DeadLetter;
import dev.rebound.request.DeadLetterReason;
import dev.rebound.request.EffectivePolicy;
import dev.rebound.request.ErrorInfo;
import dev.rebound.request.FallbackFailure;
import dev.rebound.request.Json;
import dev.rebound.request.ParseResult;
import dev.rebound.request.RequestEcho;
import dev.rebound.request.RequestPolicy;
import dev.rebound.request.Source;
import dev.rebound.time.Durations;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Builds terminal records. Pure: a function of the in-flight entry, the outcome and the time.
 *
 * <p>Secrets (DESIGN §4) are masked here, value by value, in what came from outside and is repeated
 * in a record: the answer, the request's echo and its metadata (error messages were masked where
 * they entered, by the executor). Ids, keys and Rebound's own fields are never rewritten.
 *
 * <p>Every record of a request that ran states its {@link EffectivePolicy}, computed here from the
 * request's {@code policy} and its target's configuration ({@link #under}): the same
 * {@link RequestPolicy} the lifecycle applied.
 */
public final class Terminals {

    /** The longest text of a failure Rebound repeats in an attempt or a fallback step (before JSON escaping). */
    static final int MAX_ERROR_CHARS = 1_000;

    private final UnaryOperator<String> mask;
    /** The configured targets by name, for the effective policy; none known: records carry no policy. */
    private final Function<String, Optional<TargetConfig>> targets;

    /** @param mask replaces configured secrets in a text (identity when there are none) */
    public Terminals(final UnaryOperator<String> mask) {
        this(mask, name -> Optional.empty());
    }

    private Terminals(final UnaryOperator<String> mask, final Function<String, Optional<TargetConfig>> targets) {
        this.mask = mask;
        this.targets = targets;
    }

    /** These terminals writing each request's effective policy under {@code config}'s targets. */
    public Terminals under(final ReboundConfig config) {
        return new Terminals(mask, config::target);
    }

    /** The policy the request runs under: its own narrowing its target's; {@code null} if the target is gone. */
    EffectivePolicy policy(final InFlightEntry entry) {
        final String target = entry.request().path("target").asText();
        return targets.apply(target).map(t -> RequestPolicy.of(entry.request().get("policy"), t).effective(t)).orElse(null);
    }

    AgentResult succeeded(final InFlightEntry entry, final String target, final int attempt, final CallOutcome.Success s,
                          final Instant now) {
        final AgentRequest r = entry.agentRequest();
        final List<Attempt> failed = entry.attempts();
        final ErrorInfo lastError = failed.isEmpty() ? null : errorInfo(failed.get(failed.size() - 1));
        return new AgentResult(r.id(), r.target(), AgentResult.SUCCEEDED, target, false, masked(s.body()), s.status(),
                attempt, lastError, latency(entry, now), masked(r.metadata()), policy(entry));
    }

    Attempt attempt(final String target, final int attempt, final CallOutcome.Failed f) {
        final Classification c = f.classification();
        return new Attempt(attempt, f.startedAt(), target, c.category().name(), c.severity().name(),
                c.httpStatus(), text(c.message()), f.durationMs(), c.retryAfter().map(Duration::toMillis).orElse(null), null);
    }

    /** A text from outside (an error message), clipped and masked, as every record repeats it. */
    String text(final String outside) {
        return outside == null ? null : mask.apply(clip(outside));
    }

    /** A failure's text cut to {@link #MAX_ERROR_CHARS}: the attempt history of a stored entry stays bounded. */
    static String clip(final String text) {
        return text == null || text.length() <= MAX_ERROR_CHARS ? text : text.substring(0, MAX_ERROR_CHARS) + "…";
    }

    /** The result served by a fallback step: {@code FALLBACK}, degraded, naming the step. */
    AgentResult fallback(final InFlightEntry entry, final String servedBy, final JsonNode response, final Integer httpStatus,
                                final int calls, final Instant now) {
        final AgentRequest r = entry.agentRequest();
        final List<Attempt> failed = entry.attempts();
        final ErrorInfo lastError = !failed.isEmpty() ? errorInfo(failed.get(failed.size() - 1))
                : entry.trigger() == null ? null : new ErrorInfo(entry.trigger().category().name(), null, entry.trigger().message());
        return new AgentResult(r.id(), r.target(), AgentResult.FALLBACK, servedBy, true, masked(response), httpStatus, calls, lastError,
                latency(entry, now), masked(r.metadata()), policy(entry));
    }

    /** The dead letter for a request the primary could not answer and no fallback step applied to. */
    DeadLetter gaveUp(final InFlightEntry entry, final Trigger why, final Instant now) {
        return ofEntry(entry, why.deadLetterReason(), why.category().name(), why.category().severity().name(), why.message(), now);
    }

    /** The dead letter for a request whose every applicable fallback step failed, each one listed. */
    DeadLetter fallbackFailed(final InFlightEntry entry, final Instant now) {
        final Trigger why = entry.trigger();
        final StringBuilder message = new StringBuilder(why.message()).append("; no fallback step could answer:");
        for (final FallbackFailure f : entry.fallbackFailed()) {
            message.append(" [").append(f.step()).append(' ').append(f.servedBy()).append("] ").append(f.error()).append(';');
        }
        message.setLength(message.length() - 1);
        final AgentRequest r = entry.agentRequest();
        return new DeadLetter(r.id(), r.target(), DeadLetterReason.FALLBACK_FAILED, why.category().name(), why.category().severity().name(),
                message.toString(), entry.attempts(), echo(entry), entry.source(), entry.firstSeenAt(), now, masked(r.metadata()),
                policy(entry), entry.fallbackFailed());
    }

    /** The dead letter for a request whose deadline passed before its next attempt could start. */
    DeadLetter deadlineExceeded(final InFlightEntry entry, final Instant now) {
        final Attempt last = entry.attempts().isEmpty() ? null : entry.attempts().get(entry.attempts().size() - 1);
        return ofEntry(entry, DeadLetterReason.DEADLINE_EXCEEDED, last == null ? null : last.category(),
                last == null ? null : last.severity(),
                "the deadline " + entry.deadline() + " passed before attempt " + entry.attempt() + " could start" + parkedNote(entry), now);
    }

    /** What a parked request was waiting for when its deadline came, and for how long: {@code ""} if it was not parked. */
    static String parkedNote(final InFlightEntry entry) {
        if (entry.parkedFor() == null || entry.parkedSince() == null) {
            return "";
        }
        final Duration waited = Duration.between(entry.parkedSince(), entry.deadline() == null ? entry.parkedSince()
                : entry.deadline());
        return "; it was waiting for " + entry.parkedFor() + " since " + entry.parkedSince() + " (" + Durations.format(
                waited.isNegative() ? Duration.ZERO : waited) + ")";
    }

    /** The dead letter for a request that a circuit kept from its target until its deadline. */
    DeadLetter circuitOpen(final InFlightEntry entry, final String why, final Instant now) {
        return ofEntry(entry, DeadLetterReason.CIRCUIT_OPEN, ErrorCategory.CIRCUIT_OPEN.name(), ErrorCategory.CIRCUIT_OPEN.severity().name(),
                why + "; it would not admit the request before its deadline " + entry.deadline(), now);
    }

    /** The dead letter for a request whose target an operator kept disabled until its deadline. */
    DeadLetter deadlineWhileDisabled(final InFlightEntry entry, final String why, final Instant now) {
        return ofEntry(entry, DeadLetterReason.DEADLINE_EXCEEDED, null, null,
                why + "; it stayed disabled until the request's deadline " + entry.deadline(), now);
    }

    /** The dead letter for a request whose target was removed from the configuration while it was in flight. */
    DeadLetter targetGone(final InFlightEntry entry, final Instant now) {
        final AgentRequest r = entry.agentRequest();
        return new DeadLetter(r.id(), r.target(), DeadLetterReason.UNKNOWN_TARGET, null, null, "target '" + r.target()
                + "' is no longer configured; the request was in flight when Rebound restarted without it", entry.attempts(), echo(entry),
                entry.source(), entry.firstSeenAt(), now, masked(r.metadata()), null, null); // no target: no policy to narrow
    }

    /** A dead letter for an in-flight request: its id, target, attempt history, echo and metadata. */
    private DeadLetter ofEntry(final InFlightEntry entry, final DeadLetterReason reason, final String category,
                                      final String severity, final String message, final Instant now) {
        final AgentRequest r = entry.agentRequest();
        return new DeadLetter(r.id(), r.target(), reason, category, severity, message, entry.attempts(), echo(entry),
                entry.source(), entry.firstSeenAt(), now, masked(r.metadata()), policy(entry), null);
    }

    /** The dead letter for a request whose handling threw: a bug, contained to this one request. */
    DeadLetter processingError(final InFlightEntry entry, final String what, final Instant now) {
        return ofEntry(entry, DeadLetterReason.PROCESSING_ERROR, null, null, processingMessage(what), now);
    }

    /** The same for a record that threw before it became an in-flight entry: its raw bytes are echoed. */
    public DeadLetter processingError(final byte[] raw, final Source source, final String what, final Instant now) {
        final JsonNode parsed = readable(raw);
        return new DeadLetter(textField(parsed, "id"), textField(parsed, "target"), DeadLetterReason.PROCESSING_ERROR, null, null,
                processingMessage(what), List.of(), raw == null ? null : masked(RequestEcho.ofRaw(raw)), source, now, now, null, null, null);
    }

    /** The record as JSON if it reads as such (so that {@code dlq show ID} finds its dead letter), else {@code null}. */
    private static JsonNode readable(final byte[] raw) {
        try {
            return raw == null ? null : Json.DOOR.readTree(raw);
        } catch (final IOException | RuntimeException notJson) {
            return null;
        }
    }

    private static String textField(final JsonNode node, final String field) {
        return node != null && node.path(field).isTextual() && node.path(field).asText().length() <= 200 ? node.path(field).asText() : null;
    }

    private String processingMessage(final String what) {
        return "Rebound failed while handling this request (" + mask.apply(clip(what))
                + "); this is a bug, please report it. The request can be replayed once fixed (rebound dlq replay).";
    }

    /**
     * The smallest dead letter that still says what happened, for when the full one would not fit
     * a Kafka record: no attempt history, no echo (the {@code source} points at the original).
     */
    public static DeadLetter trimmed(final DeadLetter full) {
        return new DeadLetter(full.id(), full.target(), full.reason(), full.category(), full.severity(), clip(full.message())
                + " [attempt history and request echo dropped: the dead letter was too large for one record]", List.of(), null,
                full.source(), full.firstSeenAt(), full.deadLetteredAt(), null, full.policy(), null);
    }

    /** The dead letter for a result that does not fit one record and carries no call's answer to fail instead (a cached or static fallback). */
    public static DeadLetter resultTooLarge(final AgentResult r, final int bytes, final int max, final Instant now) {
        return new DeadLetter(r.id(), r.target(), DeadLetterReason.FALLBACK_FAILED, ErrorCategory.RESPONSE_TOO_LARGE.name(),
                ErrorCategory.RESPONSE_TOO_LARGE.severity().name(), "the " + r.outcome() + " result served by " + r.servedBy() + " would be a record of "
                + bytes + " bytes, over the " + max + " the producer's max.request.size allows", List.of(), null, null, null, now,
                null, r.policy(), null);
    }

    /** {@code node} with secrets masked in every text value, copied only where something changes. */
    JsonNode masked(final JsonNode node) {
        return node == null ? null : Masking.mask(node, mask);
    }

    public DeadLetter rejected(final ParseResult.Rejected rejected, final Source source, final Instant now) {
        return new DeadLetter(rejected.id(), rejected.target(), rejected.reason(), null, null, mask.apply(rejected.message()), List.of(),
                masked(rejected.echo()), source, now, now, masked(rejected.metadata()), null, null);
    }

    private JsonNode echo(final InFlightEntry entry) {
        return masked(RequestEcho.ofParsed(entry.request(), entry.request().toString().getBytes(StandardCharsets.UTF_8).length));
    }

    private static ErrorInfo errorInfo(final Attempt a) {
        return new ErrorInfo(a.category(), a.httpStatus(), a.message());
    }

    private static long latency(final InFlightEntry entry, final Instant now) {
        return Math.max(0, Duration.between(entry.firstSeenAt(), now).toMillis());
    }
}
