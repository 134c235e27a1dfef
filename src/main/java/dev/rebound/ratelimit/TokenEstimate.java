package dev.rebound.ratelimit;

import com.fasterxml.jackson.databind.JsonNode;

/** PLACEHOLDER until the parser branch lands. */
public final class TokenEstimate {
    private TokenEstimate() {
    }

    public static long estimate(final JsonNode payload) {
        return payload.toString().length() / 4 + payload.path("max_tokens").asLong(0);
    }
}
