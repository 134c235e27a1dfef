package dev.rebound.config;

import com.fasterxml.jackson.databind.JsonNode;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A target's recovery (DESIGN §5 {@code recovery}): health checks run by the task that owns the
 * target's circuit, and traffic ramped back through {@code rampSteps} after an outage.
 *
 * @param healthUrl    checked with a GET; any 2xx passes
 * @param probe        or: this JSON posted to the target itself (with its headers); a success passes
 * @param interval     time between checks (default 10s)
 * @param timeout      of one check (default 5s)
 * @param degradeAfter failed checks in a row that take a HEALTHY target to DEGRADED (default 3)
 * @param recoverAfter passed checks in a row that take a DEGRADED or FAILED target to RECOVERING (default 2)
 * @param failAfter    failed checks in a row that take a DEGRADED target to FAILED (default 30)
 * @param rampSteps    the traffic percentages of RECOVERING, rising, each 1..100 (default [10, 25, 50, 100])
 * @param stepEvery    how long each step lasts before the next, while healthy (default 30s)
 */
public record RecoveryPolicy(Optional<URI> healthUrl, Optional<JsonNode> probe, Duration interval, Duration timeout, int degradeAfter,
                             int recoverAfter, int failAfter, List<Integer> rampSteps, Duration stepEvery) {

    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    public static final List<Integer> DEFAULT_STEPS = List.of(10, 25, 50, 100);
    public static final Duration DEFAULT_STEP_EVERY = Duration.ofSeconds(30);

    public RecoveryPolicy {
        if (healthUrl.isPresent() == probe.isPresent()) {
            throw new ConfigException("recovery", "needs exactly one of 'healthUrl' (checked with a GET) or 'probe' "
                    + "(a JSON request posted to the target)");
        }
        healthUrl.ifPresent(u -> {
            if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme()) || u.getHost() == null) {
                throw new ConfigException("recovery.healthUrl", "must be an http or https URL with a host, was " + u);
            }
        });
        if (interval.compareTo(Duration.ofMillis(100)) < 0) {
            throw new ConfigException("recovery.interval", "must be at least 100ms, was " + interval);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new ConfigException("recovery.timeout", "must be positive, was " + timeout);
        }
        atLeastOne("recovery.degradeAfter", degradeAfter);
        atLeastOne("recovery.recoverAfter", recoverAfter);
        atLeastOne("recovery.failAfter", failAfter);
        rampSteps = List.copyOf(rampSteps);
        if (rampSteps.isEmpty()) {
            throw new ConfigException("recovery.rampSteps", "must list at least one percentage, e.g. [10, 25, 50, 100]");
        }
        for (int i = 0; i < rampSteps.size(); i++) {
            final int p = rampSteps.get(i);
            if (p < 1 || p > 100 || (i > 0 && p <= rampSteps.get(i - 1))) {
                throw new ConfigException("recovery.rampSteps[" + i + "]", "percentages must rise, each 1..100; was " + rampSteps);
            }
        }
        if (stepEvery.compareTo(Duration.ofMillis(100)) < 0) {
            throw new ConfigException("recovery.stepEvery", "must be at least 100ms, was " + stepEvery);
        }
    }

    private static void atLeastOne(final String field, final int v) {
        if (v < 1) {
            throw new ConfigException(field, "must be at least 1, was " + v);
        }
    }
}
