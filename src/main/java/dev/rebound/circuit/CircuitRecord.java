package dev.rebound.circuit;

import java.time.Instant;

/**
 * A circuit as published on {@code agent-circuits} (compacted, keyed by target) at every
 * transition: what every task reads before it calls, and the audit log operators read.
 *
 * @param state               the state entered
 * @param since               when it was entered
 * @param reason              why, in words
 * @param calls               calls in the window at the transition
 * @param failureRate         failed share in the window
 * @param slowCallRate        slow share in the window
 * @param consecutiveFailures failures in a row at the transition
 * @param openUntil           while OPEN, when probing starts; else {@code null}
 * @param probes              while HALF_OPEN, the probe calls admitted across the application
 * @param probeTask           while HALF_OPEN, the one task that may make them
 */
public record CircuitRecord(String target, CircuitState state, Instant since, String reason, long calls, double failureRate,
                            double slowCallRate, int consecutiveFailures, Instant openUntil, int probes, String probeTask) {
}
