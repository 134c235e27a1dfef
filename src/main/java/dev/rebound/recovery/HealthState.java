package dev.rebound.recovery;

import java.util.Map;
import java.util.Set;

/**
 * A target's health, as its recovery logic sees it (DESIGN §7 Recovery). Each state goes with one
 * circuit state: HEALTHY with CLOSED, DEGRADED and FAILED with OPEN (no ordinary traffic),
 * RECOVERING with HALF_OPEN (traffic admitted by the ramp's percentage). The legal moves are data,
 * as for the circuit: anything else is a bug and throws.
 */
public enum HealthState {
    /** Full traffic. */
    HEALTHY,
    /** No ordinary traffic; health checks decide when it may recover. */
    DEGRADED,
    /** A share of traffic, rising step by step while checks and calls stay healthy. */
    RECOVERING,
    /** Failed its checks for a long time: treated as disabled (its requests go to their fallback) until it recovers. */
    FAILED;

    private static final Map<HealthState, Set<HealthState>> MOVES = Map.of(
            HEALTHY, Set.of(DEGRADED),
            DEGRADED, Set.of(RECOVERING, FAILED),
            FAILED, Set.of(RECOVERING),
            RECOVERING, Set.of(HEALTHY, DEGRADED));

    /** Returns {@code to}; throws {@link IllegalStateException} if this state may not move there. */
    public HealthState moveTo(final HealthState to) {
        if (!MOVES.get(this).contains(to)) {
            throw new IllegalStateException("illegal health transition " + this + " -> " + to);
        }
        return to;
    }
}
