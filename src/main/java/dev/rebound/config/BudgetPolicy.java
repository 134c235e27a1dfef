package dev.rebound.config;

import java.time.Duration;

/**
 * A target's retry budget (Finagle / Envoy style): within a sliding {@code window}, retries may
 * not exceed {@code ratio} of first attempts plus {@code minRetriesPerSecond} for each second of
 * the window. It is kept per target and per task, so each task limits its own share of traffic.
 *
 * @param ratio               retries allowed per first attempt, 0..1 (default 0.2)
 * @param minRetriesPerSecond a floor so that a quiet target can still retry (default 1)
 * @param window              the sliding window, 1s..60s (default 10s)
 */
public record BudgetPolicy(double ratio, double minRetriesPerSecond, Duration window) {

    public static final BudgetPolicy DEFAULT = new BudgetPolicy(0.2, 1.0, Duration.ofSeconds(10));

    public BudgetPolicy {
        if (!(ratio >= 0.0 && ratio <= 1.0)) {
            throw new ConfigException("budget.ratio", "must be between 0.0 and 1.0, was " + ratio);
        }
        if (!(minRetriesPerSecond >= 0.0 && minRetriesPerSecond <= 10_000)) {
            throw new ConfigException("budget.minRetriesPerSecond", "must be between 0 and 10000, was " + minRetriesPerSecond);
        }
        if (window.compareTo(Duration.ofSeconds(1)) < 0 || window.compareTo(Duration.ofSeconds(60)) > 0) {
            throw new ConfigException("budget.window", "must be between 1s and 60s, was " + window);
        }
    }
}
