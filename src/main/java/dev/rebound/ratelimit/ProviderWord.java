package dev.rebound.ratelimit;

import dev.rebound.classify.RetryHints;
import dev.rebound.time.Durations;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What a provider said about its own limits in one response: how much of each limit is left, when
 * each refills, and, after a 429 / 503 / 529, until when it wants no calls at all. The cluster-wide
 * limiter tightens its buckets with it, so that the provider never has to answer 429 (DESIGN, "Rate
 * limits").
 *
 * <p>Every field is optional: a provider sends some, none or all of these headers, and a value that
 * cannot be read is left out field by field rather than failing the whole response. Optional rather
 * than nullable so that "the provider did not say" cannot be mistaken for zero.
 *
 * <p>Sources (header names in any case):
 * <ul>
 *   <li>OpenAI: {@code x-ratelimit-limit-requests}, {@code x-ratelimit-remaining-requests},
 *       {@code x-ratelimit-reset-requests} (a Go-style duration from now: {@code 1s}, {@code 6m0s},
 *       {@code 20ms}), and the same with {@code -tokens};</li>
 *   <li>Anthropic: {@code anthropic-ratelimit-requests-limit / -remaining / -reset} (an RFC 3339
 *       time), and the same for {@code tokens}, {@code input-tokens} and {@code output-tokens}: of the
 *       token kinds the one with the least remaining is the one that binds, so its limit, remaining
 *       and reset are taken together;</li>
 *   <li>{@code retry-after-ms}, else {@code Retry-After} (seconds or an HTTP-date), read only on a
 *       429, 503 or 529 (Anthropic's "overloaded"): on a success it is not a pause.</li>
 * </ul>
 * When both OpenAI's and Anthropic's headers appear (a proxy forwarding both), OpenAI's are taken
 * per field and Anthropic's fill the gaps.
 *
 * <p>A time in the past or more than {@link RetryHints#MAX_HINT} ahead is ignored, for pauses too:
 * unlike a single request's retry hint (which {@link RetryHints#from} caps), this word can pause a
 * target for the whole cluster, and an absurd value must not do that for a week. Counts are whole
 * non-negative numbers up to {@link #MAX_COUNT}.
 *
 * @param remainingRequests requests left in the current window
 * @param remainingTokens   tokens left in the current window (the binding kind, see above)
 * @param requestsResetAt   when the request limit is full again
 * @param tokensResetAt     when the token limit is full again
 * @param pausedUntil       no calls before this time (a 429's, 503's or 529's retry-after)
 * @param limitRequests     the request limit per window
 * @param limitTokens       the token limit per window
 */
public record ProviderWord(OptionalLong remainingRequests, OptionalLong remainingTokens,
                           Optional<Instant> requestsResetAt, Optional<Instant> tokensResetAt,
                           Optional<Instant> pausedUntil, OptionalLong limitRequests, OptionalLong limitTokens) {

    /** A response that says nothing about limits. */
    public static final ProviderWord NONE = new ProviderWord(OptionalLong.empty(), OptionalLong.empty(),
            Optional.empty(), Optional.empty(), Optional.empty(), OptionalLong.empty(), OptionalLong.empty());

    /** The largest count believed: far above any provider's limit, far below overflow. */
    public static final long MAX_COUNT = 1_000_000_000_000L;

    private static final String[] ANTHROPIC_TOKEN_KINDS = {"tokens", "input-tokens", "output-tokens"};

    public ProviderWord {
        Objects.requireNonNull(remainingRequests, "remainingRequests");
        Objects.requireNonNull(remainingTokens, "remainingTokens");
        Objects.requireNonNull(requestsResetAt, "requestsResetAt");
        Objects.requireNonNull(tokensResetAt, "tokensResetAt");
        Objects.requireNonNull(pausedUntil, "pausedUntil");
        Objects.requireNonNull(limitRequests, "limitRequests");
        Objects.requireNonNull(limitTokens, "limitTokens");
    }

    /**
     * @param status  the response's HTTP status
     * @param headers the response's headers, names in any case (e.g. {@code HttpHeaders.map()})
     * @param now     when the response arrived: durations count from it, and times are checked against it
     * @return what the response says, or {@link #NONE}
     */
    public static ProviderWord from(final int status, final Map<String, List<String>> headers, final Instant now) {
        if (headers == null || headers.isEmpty() || now == null) {
            return NONE;
        }
        final Map<String, String> h = lowerCased(headers);
        final Limit openAiRequests = openAi(h, "requests", now);
        final Limit openAiTokens = openAi(h, "tokens", now);
        final Limit requests = openAiRequests.or(anthropic(h, "requests", now));
        final Limit tokens = openAiTokens.or(anthropicTokens(h, now));
        final ProviderWord word = new ProviderWord(requests.remaining, tokens.remaining, requests.resetAt,
                tokens.resetAt, pause(status, h, now), requests.limit, tokens.limit);
        return word.saysAnything() ? word : NONE;
    }

    /** Whether the response said anything about limits at all. */
    public boolean saysAnything() {
        return remainingRequests.isPresent() || remainingTokens.isPresent() || requestsResetAt.isPresent()
                || tokensResetAt.isPresent() || pausedUntil.isPresent() || limitRequests.isPresent()
                || limitTokens.isPresent();
    }

    /** One limit as a provider states it; any part may be missing. */
    private record Limit(OptionalLong limit, OptionalLong remaining, Optional<Instant> resetAt) {

        static final Limit NONE = new Limit(OptionalLong.empty(), OptionalLong.empty(), Optional.empty());

        /** This limit's parts, each filled from {@code other} where this one has none. */
        Limit or(final Limit other) {
            return new Limit(limit.isPresent() ? limit : other.limit,
                    remaining.isPresent() ? remaining : other.remaining,
                    resetAt.isPresent() ? resetAt : other.resetAt);
        }

        boolean isEmpty() {
            return limit.isEmpty() && remaining.isEmpty() && resetAt.isEmpty();
        }
    }

    private static Limit openAi(final Map<String, String> h, final String kind, final Instant now) {
        return new Limit(count(h.get("x-ratelimit-limit-" + kind)), count(h.get("x-ratelimit-remaining-" + kind)),
                within(Optional.ofNullable(h.get("x-ratelimit-reset-" + kind)).flatMap(Durations::parse), now));
    }

    private static Limit anthropic(final Map<String, String> h, final String kind, final Instant now) {
        final String prefix = "anthropic-ratelimit-" + kind + "-";
        return new Limit(count(h.get(prefix + "limit")), count(h.get(prefix + "remaining")),
                rfc3339(h.get(prefix + "reset")).filter(at -> inWindow(at, now)));
    }

    /** The token kind with the least remaining binds; without any remaining, the first kind stated. */
    private static Limit anthropicTokens(final Map<String, String> h, final Instant now) {
        Limit binding = Limit.NONE;
        for (final String kind : ANTHROPIC_TOKEN_KINDS) {
            final Limit limit = anthropic(h, kind, now);
            final boolean less = limit.remaining.isPresent()
                    && (binding.remaining.isEmpty() || limit.remaining.getAsLong() < binding.remaining.getAsLong());
            if (less || binding.isEmpty()) {
                binding = limit;
            }
        }
        return binding;
    }

    /** {@code retry-after-ms} first, then {@code Retry-After}; the first readable one within bounds. */
    private static Optional<Instant> pause(final int status, final Map<String, String> h, final Instant now) {
        if (status != 429 && status != 503 && status != 529) {
            return Optional.empty();
        }
        final Optional<Instant> ms = within(Optional.ofNullable(h.get("retry-after-ms")).flatMap(RetryHints::retryAfterMillis), now);
        return ms.isPresent() ? ms : within(Optional.ofNullable(h.get("retry-after")).flatMap(v -> RetryHints.retryAfter(v, now)), now);
    }

    /** {@code now + wait}, unless the wait is negative or beyond {@link RetryHints#MAX_HINT}. */
    private static Optional<Instant> within(final Optional<Duration> wait, final Instant now) {
        return wait.filter(d -> !d.isNegative() && d.compareTo(RetryHints.MAX_HINT) <= 0).map(now::plus);
    }

    private static boolean inWindow(final Instant at, final Instant now) {
        return !at.isBefore(now) && !at.isAfter(now.plus(RetryHints.MAX_HINT));
    }

    /** An RFC 3339 time ({@code 2024-06-01T12:00:30Z}, any offset, {@code t} / {@code z} in either case). */
    private static Optional<Instant> rfc3339(final String value) {
        if (value == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(OffsetDateTime.parse(value.trim().toUpperCase(Locale.ROOT)).toInstant());
        } catch (final DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** A whole number from 0 to {@link #MAX_COUNT}, digits only; anything else is not a count. */
    private static OptionalLong count(final String value) {
        if (value == null) {
            return OptionalLong.empty();
        }
        final String v = value.trim();
        // MAX_COUNT has 13 digits; checking the length first keeps parseLong from overflowing
        if (v.isEmpty() || v.length() > 13 || !v.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return OptionalLong.empty();
        }
        final long n = Long.parseLong(v);
        return n <= MAX_COUNT ? OptionalLong.of(n) : OptionalLong.empty();
    }

    /** Each header's first value under its lower-cased name; the first spelling met wins. */
    private static Map<String, String> lowerCased(final Map<String, List<String>> headers) {
        final Map<String, String> h = new HashMap<>();
        for (final Map.Entry<String, List<String>> e : headers.entrySet()) {
            if (e.getKey() == null || e.getValue() == null) {
                continue;
            }
            for (final String value : e.getValue()) {
                if (value != null) {
                    h.putIfAbsent(e.getKey().toLowerCase(Locale.ROOT), value);
                    break;
                }
            }
        }
        return h;
    }
}
