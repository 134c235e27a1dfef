package dev.rebound.topology;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rebound.request.AgentRequest;
import dev.rebound.request.Attempt;
import dev.rebound.request.Source;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A request that has no terminal record yet, as kept in the in-flight store. It holds everything
 * needed to start the current attempt again after a crash or a rebalance, and to write the
 * terminal record: the record key, the original request, and the attempts so far.
 *
 * @param key         the {@code agent-calls} record key, reused for the terminal record
 * @param request     the request exactly as received
 * @param deadline    the absolute deadline fixed on arrival, or {@code null}
 * @param firstSeenAt when Rebound first read the request
 * @param attempt     the number of the attempt currently running (1-based)
 * @param attempts    failed attempts so far, oldest first
 * @param source      where the request was read
 * @param dueAt       when the next attempt may start while the request waits in the delay path;
 *                    {@code null} while an attempt is running (or about to)
 * @param lastWaitMs  the previous wait, for decorrelated jitter; {@code null} before the first
 */
public record InFlightEntry(String key, JsonNode request, Instant deadline, Instant firstSeenAt, int attempt,
                            List<Attempt> attempts, Source source, Instant dueAt, Long lastWaitMs) {

    public InFlightEntry {
        attempts = attempts == null ? List.of() : List.copyOf(attempts);
    }

    public static InFlightEntry first(final String key, final AgentRequest request, final Instant now, final Source source) {
        return new InFlightEntry(key, request.original(), request.deadline(), now, 1, List.of(), source, null, null);
    }

    public AgentRequest agentRequest() {
        return AgentRequest.restore(request, deadline);
    }

    /** Whether the request waits in the delay path (rather than having an attempt running). */
    public boolean waiting() {
        return dueAt != null;
    }

    /** The request after its last attempt failed for good: the attempt recorded, nothing next. */
    public InFlightEntry ended(final Attempt failed) {
        return new InFlightEntry(key, request, deadline, firstSeenAt, attempt, append(failed), source, null, lastWaitMs);
    }

    /** The request waiting {@code wait} for its next attempt, due at {@code due}. */
    public InFlightEntry waitingFor(final Attempt failed, final Duration wait, final Instant due) {
        return new InFlightEntry(key, request, deadline, firstSeenAt, attempt + 1, append(failed.followedBy(wait.toMillis())),
                source, due, wait.toMillis());
    }

    /** The request waiting, without an attempt spent, for a circuit to admit it again at {@code due}. */
    public InFlightEntry deferred(final Instant due) {
        return new InFlightEntry(key, request, deadline, firstSeenAt, attempt, attempts, source, due, lastWaitMs);
    }

    /** The request whose wait is over: its next attempt starts now. */
    public InFlightEntry fired() {
        return new InFlightEntry(key, request, deadline, firstSeenAt, attempt, attempts, source, null, lastWaitMs);
    }

    private List<Attempt> append(final Attempt a) {
        final List<Attempt> all = new ArrayList<>(attempts);
        all.add(a);
        return all;
    }
}
