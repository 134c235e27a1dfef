package dev.rebound.ratelimit;

import java.time.Instant;

/** Placeholder until the header parser lands: what a provider said of its limits. */
public record ProviderWord(Long remainingRequests, Long remainingTokens, Instant requestsResetAt, Instant tokensResetAt,
                           Instant pausedUntil, Long limitRequests, Long limitTokens) {

    public static ProviderWord from(final int status, final java.util.Map<String, java.util.List<String>> headers, final Instant now) {
        return null; // PLACEHOLDER: replaced by the parser branch
    }

    public boolean saysAnything() {
        return remainingRequests != null || remainingTokens != null || pausedUntil != null;
    }
}
