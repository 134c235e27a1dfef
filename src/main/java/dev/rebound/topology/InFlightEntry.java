package dev.rebound.topology;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rebound.request.AgentRequest;
import dev.rebound.request.Attempt;
import dev.rebound.request.Source;

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
 */
public record InFlightEntry(String key, JsonNode request, Instant deadline, Instant firstSeenAt, int attempt,
                            List<Attempt> attempts, Source source) {

    public InFlightEntry {
        attempts = attempts == null ? List.of() : List.copyOf(attempts);
    }

    public static InFlightEntry first(final String key, final AgentRequest request, final Instant now, final Source source) {
        return new InFlightEntry(key, request.original(), request.deadline(), now, 1, List.of(), source);
    }

    public AgentRequest agentRequest() {
        return AgentRequest.restore(request, deadline);
    }

    /** This entry with a failed attempt recorded and the next attempt number. */
    public InFlightEntry withFailure(final Attempt failed) {
        final List<Attempt> all = new ArrayList<>(attempts);
        all.add(failed);
        return new InFlightEntry(key, request, deadline, firstSeenAt, attempt + 1, all, source);
    }
}
