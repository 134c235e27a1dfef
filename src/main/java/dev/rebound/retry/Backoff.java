package dev.rebound.retry;

import dev.rebound.config.RetryPolicy;

import java.time.Duration;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * Backoff delays. Pure: the random source is a parameter, so tests can pin it.
 *
 * <p>The exponential delay after failed attempt {@code n} is {@code initialDelay × multiplier^(n-1)},
 * capped at {@code maxDelay}; jitter then spreads it (AWS "Exponential Backoff and Jitter"):
 * {@code NONE} keeps it, {@code FULL} draws from [0, d], {@code EQUAL} from [d/2, d], and
 * {@code DECORRELATED} from [initialDelay, 3 × previous delay], capped.
 *
 * <p>A provider's hint wins when it is longer: the wait is {@code max(backoff, hint)}, and a hint
 * is <em>not</em> clipped to {@code maxDelay}: a provider that says "come back in 10 minutes" means
 * it, and coming back earlier only earns another 429. The deadline is what bounds the wait.
 */
public final class Backoff {

    private Backoff() {
    }

    /**
     * @param failedAttempt the attempt that just failed, 1-based
     * @param previous      the previous wait of this request (for decorrelated jitter), or empty
     */
    public static Duration delay(final RetryPolicy p, final int failedAttempt, final Optional<Duration> previous,
                                 final RandomGenerator random) {
        final double capMs = p.maxDelay().toMillis();
        final double exp = Math.min(capMs, p.initialDelay().toMillis() * Math.pow(p.multiplier(), Math.max(0, failedAttempt - 1)));
        final double ms = switch (p.jitter()) {
            case NONE -> exp;
            case FULL -> random.nextDouble() * exp;
            case EQUAL -> exp / 2 + random.nextDouble() * exp / 2;
            case DECORRELATED -> {
                final double base = p.initialDelay().toMillis();
                final double upper = Math.max(base, 3.0 * previous.orElse(p.initialDelay()).toMillis());
                yield Math.min(capMs, base + random.nextDouble() * (upper - base));
            }
        };
        return Duration.ofMillis(Math.round(ms));
    }

    /** {@code max(backoff, hint)}. */
    public static Duration wait(final Duration backoff, final Optional<Duration> hint) {
        return hint.filter(h -> h.compareTo(backoff) > 0).orElse(backoff);
    }
}
