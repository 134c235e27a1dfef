package dev.rebound.config;

import java.time.Duration;

/**
 * Adaptive retry: under sustained failure a target's effective maximum attempts drop by one per
 * {@code step}, down to 1 (no retries); under sustained success they climb back by one per step,
 * up to the configured {@code retry.maxAttempts}. "Sustained" is judged on the error window
 * ({@code errors.window}): at least {@code minCalls} calls and a failure rate at or above
 * {@code failureRate} to go down, or below half of it to go up.
 *
 * @param enabled     default true
 * @param failureRate 0..1 (default 0.5)
 * @param minCalls    default 20
 * @param step        the least time between two changes (default 10s)
 */
public record AdaptivePolicy(boolean enabled, double failureRate, int minCalls, Duration step) {

    public static final AdaptivePolicy DEFAULT = new AdaptivePolicy(true, 0.5, 20, Duration.ofSeconds(10));

    public AdaptivePolicy {
        if (!(failureRate > 0.0 && failureRate <= 1.0)) {
            throw new ConfigException("retry.adaptive.failureRate", "must be above 0.0 and at most 1.0, was " + failureRate);
        }
        if (minCalls < 1) {
            throw new ConfigException("retry.adaptive.minCalls", "must be at least 1, was " + minCalls);
        }
        if (step.isNegative() || step.isZero()) {
            throw new ConfigException("retry.adaptive.step", "must be positive, was " + step);
        }
    }
}
