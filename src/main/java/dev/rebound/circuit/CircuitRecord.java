package dev.rebound.circuit;

import dev.rebound.recovery.HealthState;

import java.time.Instant;
import java.util.Objects;

/**
 * A circuit as published on {@code agent-circuits} (compacted, keyed by target) at every
 * transition: what every task reads before it calls, and the audit log operators read.
 *
 * @param state               the state entered
 * @param since               when it was entered (while RECOVERING: when the current ramp step began)
 * @param reason              why, in words
 * @param calls               calls in the window at the transition
 * @param failureRate         failed share in the window
 * @param slowCallRate        slow share in the window
 * @param consecutiveFailures failures in a row at the transition
 * @param openUntil           while OPEN, when probing starts; else {@code null}
 * @param probes              while HALF_OPEN, the probe calls admitted across the application
 * @param probeTask           while HALF_OPEN, the one task that may make them
 * @param health              the target's health (HEALTHY, DEGRADED, RECOVERING, FAILED)
 * @param trafficPercent      the share of ordinary requests every instance admits: 100 when
 *                            CLOSED, the ramp step's percentage when RECOVERING, else 0
 */
public record CircuitRecord(String target, CircuitState state, Instant since, String reason, long calls, double failureRate,
                            double slowCallRate, int consecutiveFailures, Instant openUntil, int probes, String probeTask,
                           HealthState health, Integer trafficPercent) {

    public CircuitRecord {
        // a foreign or half-written record on agent-circuits must be refused, not read as CLOSED
        Objects.requireNonNull(state, "a circuit record needs a state");
        if (trafficPercent != null && (trafficPercent < 0 || trafficPercent > 100)) {
            throw new IllegalArgumentException("trafficPercent must be 0..100, was " + trafficPercent);
        }
        // records written before health existed read as the health their circuit state implies
        if (health == null) {
            health = switch (state) {
                case CLOSED -> HealthState.HEALTHY;
                case OPEN -> HealthState.DEGRADED;
                case HALF_OPEN -> HealthState.RECOVERING;
            };
        }
        if (trafficPercent == null) {
            trafficPercent = state == CircuitState.CLOSED ? 100 : 0;
        }
    }
}
