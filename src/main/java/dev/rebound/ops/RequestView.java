package dev.rebound.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rebound.lifecycle.InFlightEntry;
import dev.rebound.request.Attempt;
import dev.rebound.request.Json;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What {@code GET /requests/{key}/{id}} answers about one request, built from what its owner task
 * stores: the in-flight entry while it has no terminal record, the terminal record from the dedup
 * window after. Pure: no store, no clock; the caller reads the stores and passes {@code now}.
 *
 * <p>The answer's {@code status} is one of {@link Status}; a waiting request says {@code why} as
 * one of {@link Why}. The three reasons to wait look alike in the delay path (an entry with a due
 * time), so they are told apart by what the entry recorded: {@code parkedFor} for a park,
 * {@code deferredFor} for admission's refusal, a last attempt with its wait for a retry.
 */
final class RequestView {

    /** Where a request stands. */
    enum Status {
        /** In the delay path: due again at {@code dueAt}. */
        WAITING,
        /** An attempt was asked for and has not ended (running, or in this instance's line for a slot). */
        IN_FLIGHT,
        /** Its one terminal record was written: a result or a dead letter. */
        FINISHED,
        /** Never seen by this application, or seen longer ago than the dedup window. */
        UNKNOWN
    }

    /** Why a waiting request waits. */
    enum Why {
        /** Its last attempt failed with a retryable error; the next attempt waits its backoff. */
        RETRY,
        /** Admission said no without a call: a circuit open, an operator's switch, the recovery ramp. */
        DEFERRED,
        /** Admitted, but its target had no free slot here, or its rate limit no quota yet; no attempt spent. */
        PARKED
    }

    private RequestView() {
    }

    /**
     * A request with an in-flight entry: waiting or in flight.
     *
     * @param stageTarget the target its current stage calls: the request's own, or its fallback step's
     * @param pool        whether that target is a pool, whose endpoint is chosen only when the call is made
     */
    static ObjectNode of(final String key, final String id, final InFlightEntry entry, final String stageTarget, final boolean pool,
                         final Instant now) {
        final ObjectNode n = head(key, id, entry.waiting() ? Status.WAITING : Status.IN_FLIGHT);
        n.put("target", entry.request().path("target").asText());
        if (entry.stage() > 0) {
            n.put("fallbackStep", entry.stage());
        }
        if (stageTarget != null) {
            n.put("stageTarget", stageTarget);
        }
        if (pool) {
            n.put("pool", true); // its endpoint is chosen when the call is made, and recorded only with a failed attempt
        }
        n.put("attempt", entry.attempt());
        n.put("failedAttempts", entry.attempts().size());
        n.put("firstSeenAt", entry.firstSeenAt().toString());
        if (entry.deadline() != null) {
            n.put("deadline", entry.deadline().toString());
        }
        lastAttempt(entry.attempts()).ifPresent(a -> n.set("lastAttempt", Json.MAPPER.valueToTree(a)));
        if (entry.waiting()) {
            waiting(n, entry, now);
        } else if (entry.calledAt() != null) {
            n.put("since", entry.calledAt().toString());
            n.put("forMs", Math.max(0, Duration.between(entry.calledAt(), now).toMillis()));
        }
        return n;
    }

    private static void waiting(final ObjectNode n, final InFlightEntry entry, final Instant now) {
        n.put("dueAt", entry.dueAt().toString());
        n.put("dueInMs", Math.max(0, Duration.between(now, entry.dueAt()).toMillis()));
        final Why why = why(entry);
        n.put("why", why.name());
        switch (why) {
            case PARKED -> {
                n.put("reason", "waiting for " + entry.parkedFor());
                n.put("parkedFor", entry.parkedFor());
                if (entry.parkedSince() != null) {
                    n.put("parkedSince", entry.parkedSince().toString());
                }
                n.put("parks", entry.parks());
            }
            case DEFERRED -> n.put("reason", entry.deferredFor() != null ? entry.deferredFor()
                    : "not admitted (a circuit, an operator's switch or the recovery ramp; the entry predates the recorded reason)");
            case RETRY -> {
                final Attempt last = entry.attempts().get(entry.attempts().size() - 1);
                n.put("reason", "attempt " + last.attempt() + " failed with " + last.category()
                        + (last.httpStatus() == null ? "" : " (HTTP " + last.httpStatus() + ")")
                        + (last.message() == null || last.message().isBlank() ? "" : ": " + last.message()));
            }
        }
    }

    /** Why {@code entry} (a waiting one) waits; see the class comment. */
    static Why why(final InFlightEntry entry) {
        if (entry.parked()) {
            return Why.PARKED;
        }
        if (entry.deferredFor() != null) {
            return Why.DEFERRED;
        }
        final Attempt last = lastAttempt(entry.attempts()).orElse(null);
        return last != null && last.waitMs() != null ? Why.RETRY : Why.DEFERRED;
    }

    /** A request whose terminal record the dedup window still holds ({@code record}: the result or dead letter JSON). */
    static ObjectNode finished(final String key, final String id, final boolean result, final JsonNode record) {
        final ObjectNode n = head(key, id, Status.FINISHED);
        n.put("terminal", result ? "result" : "dead letter");
        if (result) {
            n.put("outcome", record.path("outcome").asText());
            n.put("servedBy", record.path("servedBy").asText());
        } else {
            n.put("outcome", "DEAD_LETTER");
            n.put("reason", record.path("reason").asText());
        }
        n.set("record", record);
        return n;
    }

    /** A request neither in flight nor remembered. */
    static ObjectNode unknown(final String key, final String id) {
        final ObjectNode n = head(key, id, Status.UNKNOWN);
        n.put("reason", "never seen by this application under this key, or finished longer ago than the dedup window");
        return n;
    }

    private static ObjectNode head(final String key, final String id, final Status status) {
        final ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("id", id);
        n.put("key", key);
        n.put("status", status.name());
        return n;
    }

    private static Optional<Attempt> lastAttempt(final List<Attempt> attempts) {
        return attempts.isEmpty() ? Optional.empty() : Optional.of(attempts.get(attempts.size() - 1));
    }
}
