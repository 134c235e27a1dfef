package dev.rebound.sim;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.OptionalLong;

/**
 * A rate limit the simulated endpoint enforces the way an LLM provider does, to prove that
 * Rebound's own cluster-wide limit keeps a provider from ever having to refuse: a call to
 * {@code /v1/chat} is accepted only while fewer than {@code requestsPerMinute} calls (and, with a
 * token limit, fewer than {@code tokensPerMinute} tokens counting this call's) were accepted in
 * the trailing {@link #WINDOW}; otherwise it is answered 429 at once, with OpenAI's body and
 * headers. See {@link ProviderLimiter} for the answers and {@link ProviderLimitStats} for what
 * it counts.
 *
 * <p>It belongs to the simulator rather than to a scenario's failure mix: it is fixed when the
 * simulator starts and stays through {@link Simulator#switchTo scenario switches}.
 *
 * @param requestsPerMinute calls accepted in any trailing 60 s, at least 1
 * @param tokensPerMinute   tokens accepted in any trailing 60 s, at least 1, counted as {@link #tokensOf}; empty for no token limit
 */
public record ProviderLimit(int requestsPerMinute, OptionalLong tokensPerMinute) {

    /** The window both limits hold over: a provider's "per minute", sliding. */
    public static final Duration WINDOW = Duration.ofMinutes(1);

    public ProviderLimit {
        if (requestsPerMinute < 1) {
            throw new IllegalArgumentException("requestsPerMinute must be at least 1, was " + requestsPerMinute);
        }
        if (tokensPerMinute.isPresent() && tokensPerMinute.getAsLong() < 1) {
            throw new IllegalArgumentException("tokensPerMinute must be at least 1, was " + tokensPerMinute.getAsLong());
        }
    }

    /** A limit on calls only. */
    public static ProviderLimit requestsPerMinute(final int requests) {
        return new ProviderLimit(requests, OptionalLong.empty());
    }

    /** This limit, with tokens limited too. */
    public ProviderLimit withTokensPerMinute(final long tokens) {
        return new ProviderLimit(requestsPerMinute, OptionalLong.of(tokens));
    }

    /**
     * The tokens a call counts against a token limit, estimated the simple way a provider does
     * before it has run the model: the {@code max_tokens} the body asks for (0 when absent) plus
     * one token per 4 bytes of the body, at least 1. Deliberately crude and stable, so a test
     * can work out a call's weight by hand.
     *
     * @param body      the request body as JSON (an empty object when it was not JSON)
     * @param bodyBytes the body's length in bytes
     */
    public static long tokensOf(final JsonNode body, final int bodyBytes) {
        return Math.max(1, Math.max(0, body.path("max_tokens").asLong(0)) + bodyBytes / 4);
    }

    /** In words, for a start-up line: {@code at most 600 calls and 90000 tokens in any 60 s, 429 above}. */
    public String describe() {
        final String tokens = tokensPerMinute.isPresent() ? " and " + tokensPerMinute.getAsLong() + " tokens" : "";
        return "at most " + requestsPerMinute + " calls" + tokens + " in any " + WINDOW.toSeconds() + " s, 429 above";
    }
}
