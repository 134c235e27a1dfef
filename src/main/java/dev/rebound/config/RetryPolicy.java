package dev.rebound.config;

import java.time.Duration;
import java.util.Objects;

/**
 * How a target's retryable failures are retried.
 *
 * @param maxAttempts  attempts in all, the first included; at least 1 (default 3)
 * @param initialDelay the first backoff delay (default 1s)
 * @param multiplier   growth per attempt, at least 1.0 (default 2.0)
 * @param maxDelay     the cap on a computed backoff delay (default 5m)
 * @param jitter       the jitter mode (default {@link Jitter#FULL})
 */
public record RetryPolicy(int maxAttempts, Duration initialDelay, double multiplier, Duration maxDelay, Jitter jitter) {

    public static final RetryPolicy DEFAULT =
            new RetryPolicy(3, Duration.ofSeconds(1), 2.0, Duration.ofMinutes(5), Jitter.FULL);

    public RetryPolicy {
        if (maxAttempts < 1 || maxAttempts > 100) {
            throw new ConfigException("retry.maxAttempts", "must be between 1 and 100, was " + maxAttempts);
        }
        Objects.requireNonNull(initialDelay, "initialDelay");
        Objects.requireNonNull(maxDelay, "maxDelay");
        Objects.requireNonNull(jitter, "jitter");
        if (initialDelay.isNegative() || initialDelay.isZero()) {
            throw new ConfigException("retry.initialDelay", "must be positive, was " + initialDelay);
        }
        if (!(multiplier >= 1.0 && multiplier <= 100.0)) {
            throw new ConfigException("retry.multiplier", "must be between 1.0 and 100.0, was " + multiplier);
        }
        if (maxDelay.compareTo(initialDelay) < 0) {
            throw new ConfigException("retry.maxDelay", "must be at least retry.initialDelay (" + initialDelay + "), was " + maxDelay);
        }
    }
}
