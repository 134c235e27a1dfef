package dev.rebound.request;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A request's successful outcome on {@code agent-results} (DESIGN §3).
 *
 * @param outcome   {@code SUCCEEDED} or {@code FALLBACK}
 * @param servedBy  the target that answered, or {@code cache} / {@code static}
 * @param degraded  true whenever {@code outcome} is {@code FALLBACK}
 * @param response  the target's JSON body (a JSON string when the body was not JSON)
 * @param attempts  calls made for this request, the successful one included
 * @param lastError the last failure before success, or {@code null}
 * @param latencyMs first seen to terminal
 * @param policy    the policy the request ran under ({@link EffectivePolicy}: the target's, narrowed by the request's)
 */
public record AgentResult(String id, String target, String outcome, String servedBy, boolean degraded,
                          JsonNode response, Integer httpStatus, int attempts, ErrorInfo lastError, long latencyMs,
                          JsonNode metadata, EffectivePolicy policy) {

    public static final String SUCCEEDED = "SUCCEEDED";
    public static final String FALLBACK = "FALLBACK";
}
