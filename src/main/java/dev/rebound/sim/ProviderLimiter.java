package dev.rebound.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.LongSupplier;

/**
 * Enforces a simulator's {@link ProviderLimit} on its calls, as OpenAI does, and counts what it
 * did ({@link ProviderLimitStats}).
 *
 * <p>Every answer, accepted or not, carries {@code x-ratelimit-limit-requests},
 * {@code x-ratelimit-remaining-requests} and {@code x-ratelimit-reset-requests} (and the
 * {@code -tokens} three with a token limit). Reset is a Go-style duration ({@code 850ms},
 * {@code 1s}, {@code 6m0s}) until one more call (one more token) would be allowed: {@code 0s}
 * while there is room. A call over the limit is answered 429 at once, without the scenario's
 * latency, with {@code {"error": {"type": "requests"|"tokens", "code": "rate_limit_exceeded",
 * "message": "Rate limit reached ..."}}}, {@code Retry-After} (whole seconds until the oldest
 * accepted call leaves the window, rounded up, at least 1) and {@code retry-after-ms}; it uses
 * none of the limit: a refused call is not an accepted one.
 *
 * <p>Threads: the JDK server reads requests on several threads at once. The clock is read
 * inside the one lock, so calls reach the windows in time order, and "fits both windows, so add
 * to both" is one step: two calls can never both take the last place. The lock is held for O(1)
 * amortized work per call.
 */
final class ProviderLimiter {

    private static final long MINUTE_NANOS = ProviderLimit.WINDOW.toNanos();
    private static final String REQUESTS = "requests";
    private static final String TOKENS = "tokens";

    private final ProviderLimit limit;
    private final LongSupplier nanoClock;
    private final long startNanos;
    private final SlidingLimit requests;
    private final Optional<SlidingLimit> tokens;
    // guarded by this
    private long accepted;
    private long refused;
    private long maxAcceptedInWindow;
    private long maxTokensInWindow;
    private long[] perMinute = new long[8];

    /**
     * @param nanoClock {@link System#nanoTime()} in the simulator; a test's own clock to pin the window's edges
     */
    ProviderLimiter(final ProviderLimit limit, final LongSupplier nanoClock) {
        this.limit = limit;
        this.nanoClock = nanoClock;
        this.startNanos = nanoClock.getAsLong();
        this.requests = new SlidingLimit(limit.requestsPerMinute(), ProviderLimit.WINDOW);
        this.tokens = limit.tokensPerMinute().isPresent()
                ? Optional.of(new SlidingLimit(limit.tokensPerMinute().getAsLong(), ProviderLimit.WINDOW))
                : Optional.empty();
    }

    /**
     * What the limit says to a call of {@code weight} tokens arriving now: the headers its answer
     * carries, and the 429 body when it is refused.
     */
    record Verdict(Map<String, String> headers, Optional<String> refusal) {

        boolean accepted() {
            return refusal.isEmpty();
        }
    }

    /** Admits or refuses one call of {@code weight} tokens (ignored without a token limit) and counts it. */
    synchronized Verdict admit(final long weight) {
        final long now = nanoClock.getAsLong();
        final boolean requestFits = requests.fits(now, 1);
        final boolean tokensFit = tokens.map(t -> t.fits(now, weight)).orElse(true);
        if (requestFits && tokensFit) {
            requests.add(now, 1);
            tokens.ifPresent(t -> t.add(now, weight));
            accepted++;
            maxAcceptedInWindow = Math.max(maxAcceptedInWindow, requests.used(now));
            tokens.ifPresent(t -> maxTokensInWindow = Math.max(maxTokensInWindow, t.used(now)));
            countInMinute(now);
            return new Verdict(headers(now, 1), Optional.empty());
        }
        refused++;
        final long wait = Math.max(requests.nanosUntilFits(now, 1), tokens.map(t -> t.nanosUntilFits(now, weight)).orElse(0L));
        final Map<String, String> headers = headers(now, weight);
        headers.put("Retry-After", Long.toString(Math.max(1, ceilDiv(wait, 1_000_000_000L))));
        headers.put("retry-after-ms", Long.toString(Math.max(1, ceilDiv(wait, 1_000_000L))));
        final String message = requestFits ? tokensMessage(now, weight, wait) : requestsMessage(now, wait);
        return new Verdict(headers, Optional.of(SimExchanges.error(message, requestFits ? TOKENS : REQUESTS, "rate_limit_exceeded")));
    }

    /**
     * Admits or refuses the call on {@code ex}: puts the limit's headers on its answer and, when
     * refused, answers 429.
     *
     * @return whether the call was accepted and the caller still has to answer it
     */
    boolean admit(final HttpExchange ex, final JsonNode body, final int bodyBytes) {
        final Verdict v = admit(ProviderLimit.tokensOf(body, bodyBytes));
        v.headers().forEach(ex.getResponseHeaders()::set);
        if (v.accepted()) {
            return true;
        }
        try {
            SimExchanges.send(ex, 429, v.refusal().get());
        } catch (final IOException | RuntimeException e) {
            ex.close(); // the client went away: the refusal is counted all the same
        }
        return false;
    }

    /** What the limit has seen so far. */
    synchronized ProviderLimitStats stats() {
        final int minute = (int) ((nanoClock.getAsLong() - startNanos) / MINUTE_NANOS);
        final List<Long> perMinuteList = new ArrayList<>(minute + 1);
        for (int m = 0; m <= minute; m++) {
            perMinuteList.add(m < perMinute.length ? perMinute[m] : 0L);
        }
        return new ProviderLimitStats(limit, accepted, refused, maxAcceptedInWindow,
                tokens.isPresent() ? OptionalLong.of(maxTokensInWindow) : OptionalLong.empty(), perMinuteList);
    }

    /** The {@code x-ratelimit-*} headers at {@code now}, reset told for a next call of {@code tokensNeeded}. */
    private Map<String, String> headers(final long now, final long tokensNeeded) {
        final Map<String, String> out = new LinkedHashMap<>();
        window(out, REQUESTS, requests, now, 1);
        tokens.ifPresent(t -> window(out, TOKENS, t, now, tokensNeeded));
        return out;
    }

    private static void window(final Map<String, String> out, final String unit, final SlidingLimit w, final long now, final long need) {
        out.put("x-ratelimit-limit-" + unit, Long.toString(w.limit()));
        out.put("x-ratelimit-remaining-" + unit, Long.toString(w.remaining(now)));
        out.put("x-ratelimit-reset-" + unit, goDuration(w.nanosUntilFits(now, need)));
    }

    private String requestsMessage(final long now, final long wait) {
        return "Rate limit reached for requests per min (RPM): Limit " + requests.limit() + ", Used " + requests.used(now)
                + ", Requested 1. Please try again in " + goDuration(wait) + ".";
    }

    private String tokensMessage(final long now, final long weight, final long wait) {
        final SlidingLimit t = tokens.orElseThrow();
        if (weight > t.limit()) {
            return "Request too large for tokens per min (TPM): Limit " + t.limit() + ", Requested " + weight
                    + ". The input or output tokens must be reduced in order to run successfully.";
        }
        return "Rate limit reached for tokens per min (TPM): Limit " + t.limit() + ", Used " + t.used(now)
                + ", Requested " + weight + ". Please try again in " + goDuration(wait) + ".";
    }

    private void countInMinute(final long now) {
        final int minute = (int) ((now - startNanos) / MINUTE_NANOS);
        if (minute >= perMinute.length) {
            perMinute = Arrays.copyOf(perMinute, Math.max(minute + 1, perMinute.length * 2));
        }
        perMinute[minute]++;
    }

    /**
     * A duration as Go prints it, as OpenAI's reset headers are: {@code 0s}, {@code 850ms},
     * {@code 1s}, {@code 1.25s}, {@code 6m0s}, {@code 1h0m0s}. Rounded up to the millisecond, so
     * a wait that has not quite ended never reads as {@code 0s}.
     */
    static String goDuration(final long nanos) {
        final long ms = ceilDiv(Math.max(0, nanos), 1_000_000L);
        if (ms < 1000) {
            return ms == 0 ? "0s" : ms + "ms";
        }
        final long h = ms / 3_600_000;
        final long m = ms / 60_000 % 60;
        final String seconds = ms % 60_000 / 1000 + (ms % 1000 == 0 ? "" : "." + String.format("%03d", ms % 1000).replaceAll("0+$", ""));
        return (h > 0 ? h + "h" + m + "m" : m > 0 ? m + "m" : "") + seconds + "s";
    }

    private static long ceilDiv(final long a, final long b) {
        return -Math.floorDiv(-a, b);
    }
}
