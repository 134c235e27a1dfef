package dev.rebound.client;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Optional;

/**
 * How a request ended: exactly one of a {@link Result} (from the results topic or the client's
 * reply topic) or a {@link DeadLetter} (from the dead-letter topic). The fields mirror the records
 * Rebound writes (DESIGN §3 and §4, {@code schemas/result.schema.json} and
 * {@code schemas/dead-letter.schema.json}); {@link #json()} keeps the whole record for any field
 * not lifted out here.
 */
public sealed interface Outcome permits Outcome.Result, Outcome.DeadLetter {

    /** The request's id, the correlation key. */
    String id();

    /** The record key: the request's key. */
    String key();

    /** The target the request named, when known. */
    String target();

    /** The terminal record exactly as Rebound wrote it. */
    JsonNode json();

    /**
     * A successful outcome.
     *
     * @param outcome    {@code SUCCEEDED}, or {@code FALLBACK} when a fallback step answered
     * @param servedBy   the target that answered, or {@code cache} / {@code static}
     * @param degraded   true whenever {@code outcome} is {@code FALLBACK}
     * @param response   the target's JSON body (or the fallback value)
     * @param httpStatus the answer's HTTP status, when there was a call
     * @param attempts   calls made for the request, the successful one included
     * @param latencyMs  from Rebound first seeing the request to its result
     * @param metadata   the request's metadata, echoed; a missing node when it had none
     */
    record Result(String id, String key, String target, String outcome, String servedBy, boolean degraded, JsonNode response,
                  Optional<Integer> httpStatus, int attempts, long latencyMs, JsonNode metadata, JsonNode json) implements Outcome {

        /** Whether the target itself answered (not a fallback). */
        public boolean succeeded() {
            return "SUCCEEDED".equals(outcome);
        }
    }

    /**
     * A request nothing more will happen to.
     *
     * @param reason   {@code INVALID_REQUEST}, {@code UNKNOWN_TARGET}, {@code NON_RETRYABLE}, {@code RETRIES_EXHAUSTED},
     *                 {@code DEADLINE_EXCEEDED}, {@code RETRY_BUDGET_EXHAUSTED}, {@code CIRCUIT_OPEN}, {@code FALLBACK_FAILED}, ...
     * @param category the last error's category, when there was an error
     * @param severity that category's severity, when there was one
     * @param message  what happened and what to do about it, for a person
     * @param attempts how many attempts failed
     * @param metadata the request's metadata, echoed; a missing node when it had none
     */
    record DeadLetter(String id, String key, String target, String reason, Optional<String> category, Optional<String> severity,
                      String message, int attempts, JsonNode metadata, JsonNode json) implements Outcome {
    }

    /** A result record as Rebound writes it. */
    static Result result(final String key, final JsonNode r) {
        return new Result(r.path("id").asText(), key, text(r, "target"), text(r, "outcome"), text(r, "servedBy"),
                r.path("degraded").asBoolean(false), r.path("response"),
                r.path("httpStatus").isNumber() ? Optional.of(r.get("httpStatus").asInt()) : Optional.empty(),
                r.path("attempts").asInt(0), r.path("latencyMs").asLong(0), r.path("metadata"), r);
    }

    /** A dead-letter record as Rebound writes it. */
    static DeadLetter deadLetter(final String key, final JsonNode d) {
        return new DeadLetter(d.path("id").asText(), key, text(d, "target"), text(d, "reason"), Optional.ofNullable(text(d, "category")),
                Optional.ofNullable(text(d, "severity")), text(d, "message"), d.path("attempts").size(), d.path("metadata"), d);
    }

    private static String text(final JsonNode node, final String field) {
        final JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
