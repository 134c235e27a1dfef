package dev.rebound.config;

import dev.rebound.classify.ErrorCategory;

import java.time.Duration;
import java.util.Map;

/**
 * A target's circuit breaker. One circuit per target for the whole application: the task that owns
 * the target (by the hash of its name) keeps the window and decides.
 *
 * @param windowType          {@link WindowType#TIME} counts the last {@code window}; {@link WindowType#COUNT}
 *                            the last {@code windowSize} calls (default TIME)
 * @param window              the time window, 5s..10m (default 60s)
 * @param windowSize          the count window, 1..1000 (default 100)
 * @param minCalls            calls in the window before a rate can open the circuit (default 10)
 * @param failureRate         failed share that opens the circuit, 0..1 (default 0.5)
 * @param consecutiveFailures failures in a row that open it whatever the rate (default 5)
 * @param slowCall            a call at least this long is slow (default 20s)
 * @param slowCallRate        slow share that opens the circuit, 0..1 (default 0.8)
 * @param openFor             how long it stays open before probing (default 30s)
 * @param probes              probe calls admitted in HALF_OPEN, across the application; that many
 *                            successes close it, one failure re-opens it (default 3)
 * @param rateLimitedTrips    whether RATE_LIMITED counts as a failure for the circuit (default false:
 *                            a 429 says "slow down", which the retry hints handle, not "down")
 * @param scope               {@link Scope#CLUSTER} (default) or {@link Scope#TASK}, which keeps only the
 *                            local per-task breaker: what per-process breakers do, kept for comparison
 * @param enabled             false turns the circuit off: every call is admitted (default true)
 * @param cooldowns           categories that open the circuit at the first such failure, each for its
 *                            own time instead of {@code openFor} (default {@code QUOTA_EXHAUSTED: 15m}:
 *                            a spent quota does not come back in 30 seconds)
 */
public record CircuitPolicy(WindowType windowType, Duration window, int windowSize, int minCalls, double failureRate,
                            int consecutiveFailures, Duration slowCall, double slowCallRate, Duration openFor, int probes,
                            boolean rateLimitedTrips, Scope scope, boolean enabled,
                            Map<ErrorCategory, Duration> cooldowns) {

    /** How the window is measured. */
    public enum WindowType { TIME, COUNT }

    /** Where the circuit is decided. */
    public enum Scope { CLUSTER, TASK }

    public static final CircuitPolicy DEFAULT = new CircuitPolicy(WindowType.TIME, Duration.ofSeconds(60), 100, 10, 0.5, 5,
            Duration.ofSeconds(20), 0.8, Duration.ofSeconds(30), 3, false, Scope.CLUSTER, true,
            Map.of(ErrorCategory.QUOTA_EXHAUSTED, Duration.ofMinutes(15)));

    public CircuitPolicy {
        if (window.compareTo(Duration.ofSeconds(5)) < 0 || window.compareTo(Duration.ofMinutes(10)) > 0) {
            throw new ConfigException("circuit.window", "must be between 5s and 10m, was " + window);
        }
        if (windowSize < 1 || windowSize > 1000) {
            throw new ConfigException("circuit.windowSize", "must be between 1 and 1000, was " + windowSize);
        }
        if (minCalls < 1) {
            throw new ConfigException("circuit.minCalls", "must be at least 1, was " + minCalls);
        }
        rate("circuit.failureRate", failureRate);
        rate("circuit.slowCallRate", slowCallRate);
        if (consecutiveFailures < 1) {
            throw new ConfigException("circuit.consecutiveFailures", "must be at least 1, was " + consecutiveFailures);
        }
        if (slowCall.isNegative() || slowCall.isZero()) {
            throw new ConfigException("circuit.slowCall", "must be positive, was " + slowCall);
        }
        if (openFor.compareTo(Duration.ofMillis(100)) < 0) {
            throw new ConfigException("circuit.openFor", "must be at least 100ms, was " + openFor);
        }
        if (probes < 1 || probes > 100) {
            throw new ConfigException("circuit.probes", "must be between 1 and 100, was " + probes);
        }
        cooldowns = Map.copyOf(cooldowns);
        cooldowns.forEach((category, d) -> {
            if (d == null || d.compareTo(Duration.ofMillis(100)) < 0) {
                throw new ConfigException("circuit.cooldowns." + category, "must be a duration of at least 100ms, was " + d);
            }
        });
    }

    private static void rate(final String field, final double v) {
        if (!(v > 0.0 && v <= 1.0)) {
            throw new ConfigException(field, "must be above 0.0 and at most 1.0, was " + v);
        }
    }
}
