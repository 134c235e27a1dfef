package dev.rebound.lifecycle;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rebound.retry.TargetRetryState;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link Lifecycle#next} asks the processor to do, in order. The processor executes steps and
 * decides nothing; every "why" is in the lifecycle.
 */
public sealed interface Step {

    /** Where a terminal record goes. */
    enum Sink { RESULT, DEAD_LETTER }

    /**
     * Store {@code entry}, ask admission for {@code target} and start the call; when admission says
     * no, the processor reports {@link Event.NotAdmitted}, when the target has no room,
     * {@link Event.Busy}.
     */
    record Call(InFlightEntry entry, String target, Duration timeout) implements Step {
        public Call {
            Objects.requireNonNull(entry, "entry");
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(timeout, "timeout");
        }
    }

    /**
     * Store the waiting {@code entry} and set its timer for {@code entry.dueAt()}; with a
     * {@code tier}, also send it to that delay-tier topic (the audit trail of the delay path).
     */
    record Wait(InFlightEntry entry, Optional<Duration> tier) implements Step {
        public Wait {
            Objects.requireNonNull(entry, "entry");
            if (!entry.waiting()) {
                throw new IllegalArgumentException("a waiting entry needs a due time");
            }
        }
    }

    /**
     * Write the request's one terminal record, remember it for dedup and forget the in-flight
     * entry, in one transaction.
     *
     * @param key          the record key, the request's {@code agent-calls} key
     * @param label        the outcome or dead-letter reason, for metrics
     * @param answeredBy   the target whose answer the record carries, when it carries one: a record
     *                     too large to write is then that call's failure ({@code RESPONSE_TOO_LARGE})
     * @param replyTo      the topic a result goes to instead of the results topic (the request's
     *                     {@code replyTo}); a dead letter always goes to the dead-letter topic
     */
    record Terminal(Sink sink, String key, Object record, String label, Optional<String> answeredBy,
                    Optional<String> replyTo) implements Step {
        public Terminal {
            Objects.requireNonNull(replyTo, "replyTo");
            Objects.requireNonNull(sink, "sink");
            Objects.requireNonNull(record, "record");
            Objects.requireNonNull(label, "label");
            Objects.requireNonNull(answeredBy, "answeredBy");
        }
    }

    /** Keep {@code response} as the last good answer of {@code primary} for {@code cacheKey}. */
    record Remember(String primary, String cacheKey, JsonNode response, int httpStatus, int maxEntries) implements Step {
    }

    /** Stop the request's running or queued call, if any: its outcome no longer matters. */
    record CancelCall() implements Step {
    }

    /** A first call of a request to {@code target}: it earns that target's retry budget its ratio. */
    record FirstAttempt(String target) implements Step {
    }

    /** A retry of {@code target} was granted: it spends one from the budget ({@code state} as the outcome left it). */
    record RetryGranted(String target, TargetRetryState state, Duration tier) implements Step {
    }

    /** A retry's timer fired {@code lateness} after it was due (for the delay path's precision figure). */
    record RetryFired(Duration lateness) implements Step {
    }

    /** Fallback step {@code servedBy} of {@code primary}'s chain {@code served} or {@code failed} (metrics). */
    record FallbackUsed(String primary, String servedBy, String outcome) implements Step {
    }
}
