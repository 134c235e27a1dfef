package dev.rebound.ratelimit;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.OptionalLong;

/**
 * The tokens a provider reports a call used, read from its response body, to settle the reservation
 * made from a {@link TokenEstimate}. Sources, first usable wins:
 * <ol>
 *   <li>{@code usage.total_tokens} (OpenAI chat and Responses);</li>
 *   <li>{@code usage.prompt_tokens + completion_tokens} (OpenAI chat, and compatible servers that
 *       leave the total out);</li>
 *   <li>{@code usage.input_tokens + output_tokens + cache_creation_input_tokens +
 *       cache_read_input_tokens} (Anthropic, whose {@code input_tokens} excludes the cached parts;
 *       the Responses API's {@code input_tokens + output_tokens} when it has no total);</li>
 *   <li>{@code usageMetadata.totalTokenCount} (Gemini), else {@code promptTokenCount +
 *       candidatesTokenCount + thoughtsTokenCount + toolUsePromptTokenCount}, the parts Gemini sums
 *       into its total.</li>
 * </ol>
 * Every part of a sum is optional, but at least one must be readable. A value is readable when it
 * is a whole JSON number from 0 to {@link #MAX_FIELD}; anything else (a string, a fraction, a
 * negative number, a billion and more) is ignored as if absent, so a broken field never settles a
 * reservation to nonsense. A JSON array (Gemini's {@code streamGenerateContent} without SSE answers
 * with its chunks in one array) is read from its last element that reports usage, the chunk with the
 * final counts. Never throws.
 */
public final class Usage {

    /** The largest count believed, per field: no single call uses a billion tokens. */
    public static final long MAX_FIELD = 1_000_000_000L;

    private Usage() {
    }

    /**
     * @param responseBody the provider's parsed response body; any JSON, or {@code null}
     * @return the total tokens used, or empty when the body reports nothing usable
     */
    public static OptionalLong totalTokens(final JsonNode responseBody) {
        if (responseBody == null) {
            return OptionalLong.empty();
        }
        if (responseBody.isArray()) {
            for (int i = responseBody.size() - 1; i >= 0; i--) {
                final OptionalLong total = ofObject(responseBody.get(i));
                if (total.isPresent()) {
                    return total;
                }
            }
            return OptionalLong.empty();
        }
        return ofObject(responseBody);
    }

    private static OptionalLong ofObject(final JsonNode body) {
        if (body == null || !body.isObject()) {
            return OptionalLong.empty();
        }
        final JsonNode usage = body.get("usage");
        if (usage != null && usage.isObject()) {
            final OptionalLong total = first(
                    count(usage, "total_tokens"),
                    sum(usage, "prompt_tokens", "completion_tokens"),
                    sum(usage, "input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens"));
            if (total.isPresent()) {
                return total;
            }
        }
        final JsonNode metadata = body.get("usageMetadata");
        if (metadata != null && metadata.isObject()) {
            return first(
                    count(metadata, "totalTokenCount"),
                    sum(metadata, "promptTokenCount", "candidatesTokenCount", "thoughtsTokenCount", "toolUsePromptTokenCount"));
        }
        return OptionalLong.empty();
    }

    private static OptionalLong first(final OptionalLong... choices) {
        for (final OptionalLong choice : choices) {
            if (choice.isPresent()) {
                return choice;
            }
        }
        return OptionalLong.empty();
    }

    /** The sum of the readable fields among {@code names}; empty when none is readable. */
    private static OptionalLong sum(final JsonNode object, final String... names) {
        long sum = 0; // at most a few times MAX_FIELD: no overflow
        boolean any = false;
        for (final String name : names) {
            final OptionalLong value = count(object, name);
            if (value.isPresent()) {
                sum += value.getAsLong();
                any = true;
            }
        }
        return any ? OptionalLong.of(sum) : OptionalLong.empty();
    }

    private static OptionalLong count(final JsonNode object, final String name) {
        final OptionalLong value = JsonCount.of(object.get(name));
        return value.isPresent() && value.getAsLong() <= MAX_FIELD ? value : OptionalLong.empty();
    }
}
