package dev.rebound.config;

import dev.rebound.time.Durations;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Settings of the delay path shared by all targets.
 *
 * @param tiers        the delay tiers, ascending; each has a topic {@code agent-calls-retry-<tier>}
 *                     (default 1s, 10s, 1m, 10m)
 * @param maxPerSecond the most retries one Rebound instance starts per second across all targets,
 *                     a last guard against a retry storm (default 500)
 * @param errorWindow  the window of the per-target error aggregation, 5s..60s (default 60s)
 * @param patternThreshold failures of one category within the window that flag a pattern (default 10)
 */
public record RetrySettings(List<Duration> tiers, double maxPerSecond, Duration errorWindow, int patternThreshold) {

    public static final RetrySettings DEFAULT = new RetrySettings(
            List.of(Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofMinutes(1), Duration.ofMinutes(10)),
            500, Duration.ofSeconds(60), 10);

    public RetrySettings {
        if (tiers.isEmpty() || tiers.size() > 10) {
            throw new ConfigException("retries.tiers", "needs 1..10 tiers, had " + tiers.size());
        }
        final List<String> names = new ArrayList<>();
        for (int i = 0; i < tiers.size(); i++) {
            final Duration t = tiers.get(i);
            if (t.compareTo(Duration.ofMillis(100)) < 0) {
                throw new ConfigException("retries.tiers[" + i + "]", "must be at least 100ms, was " + Durations.format(t));
            }
            if (i > 0 && t.compareTo(tiers.get(i - 1)) <= 0) {
                throw new ConfigException("retries.tiers[" + i + "]", "must be longer than the tier before it");
            }
            names.add(Durations.format(t));
        }
        tiers = List.copyOf(tiers);
        if (!(maxPerSecond > 0)) {
            throw new ConfigException("retries.maxPerSecond", "must be positive, was " + maxPerSecond);
        }
        if (errorWindow.compareTo(Duration.ofSeconds(5)) < 0 || errorWindow.compareTo(Duration.ofSeconds(60)) > 0) {
            throw new ConfigException("errors.window", "must be between 5s and 60s, was " + errorWindow);
        }
        if (patternThreshold < 1) {
            throw new ConfigException("errors.patternThreshold", "must be at least 1, was " + patternThreshold);
        }
    }

    /** The tier name used in topic names: {@code 1s}, {@code 10s}, {@code 1m}. */
    public static String tierName(final Duration tier) {
        return Durations.format(tier);
    }

    /**
     * The tier a wait goes to: the shortest tier at least as long as the wait, or the longest tier
     * for a longer wait. The tier only routes; the gate fires each record at its own due time.
     */
    public Duration tierFor(final Duration wait) {
        for (final Duration t : tiers) {
            if (t.compareTo(wait) >= 0) {
                return t;
            }
        }
        return tiers.get(tiers.size() - 1);
    }
}
