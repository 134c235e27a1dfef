package dev.rebound.ratelimit;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.OptionalLong;

/** PLACEHOLDER until the parser branch lands. */
public final class Usage {
    private Usage() {
    }

    public static OptionalLong totalTokens(final JsonNode body) {
        final JsonNode t = body == null ? null : body.path("usage").path("total_tokens");
        return t != null && t.canConvertToLong() && t.isIntegralNumber() ? OptionalLong.of(t.asLong()) : OptionalLong.empty();
    }
}
