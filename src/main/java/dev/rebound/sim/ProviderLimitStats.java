package dev.rebound.sim;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rebound.request.Json;

import java.util.List;
import java.util.OptionalLong;

/**
 * What a simulator's {@link ProviderLimit} has seen so far, for a benchmark or test to read
 * in-process ({@link Simulator#providerLimitStats()}) or over HTTP ({@code GET /stats}, under
 * {@code providerLimit}). A client that keeps to the limit on its own makes {@code refused} 0.
 *
 * @param limit               the limit enforced
 * @param accepted            calls accepted
 * @param refused             calls answered 429 because they were over the limit
 * @param maxAcceptedInWindow the most calls accepted in any trailing 60 s so far (taken at every
 *                            acceptance, when the count can only have grown): never above
 *                            {@code limit.requestsPerMinute()} when the limit holds
 * @param maxTokensInWindow   likewise for tokens, when there is a token limit
 * @param acceptedPerMinute   calls accepted in each whole minute since the simulator started,
 *                            minute 0 first; the last entry is the minute now running
 */
public record ProviderLimitStats(ProviderLimit limit, long accepted, long refused, long maxAcceptedInWindow,
                                 OptionalLong maxTokensInWindow, List<Long> acceptedPerMinute) {

    public ProviderLimitStats {
        acceptedPerMinute = List.copyOf(acceptedPerMinute);
    }

    /** As JSON, for {@code /stats}. */
    public ObjectNode toJson() {
        final ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("requestsPerMinute", limit.requestsPerMinute());
        limit.tokensPerMinute().ifPresent(t -> out.put("tokensPerMinute", t));
        out.put("accepted", accepted).put("refused", refused).put("maxAcceptedInWindow", maxAcceptedInWindow);
        maxTokensInWindow.ifPresent(t -> out.put("maxTokensInWindow", t));
        final ArrayNode perMinute = out.putArray("acceptedPerMinute");
        acceptedPerMinute.forEach(perMinute::add);
        return out;
    }
}
