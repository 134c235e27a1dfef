package dev.rebound.circuit;

import dev.rebound.config.CircuitPolicy;
import dev.rebound.config.TargetConfig;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * A task's fast local reaction: after {@code consecutiveFailures} failures in a row from this task,
 * stop calling the target for a short hold, without waiting for the owner's decision to travel
 * through two topics (outcomes, then {@code agent-circuits}). With {@code scope: task} this is the
 * only breaker and the hold is {@code openFor}: what per-process breakers do. In memory: it is an
 * optimisation of the owner's circuit, which is the durable one.
 */
public final class LocalBreakers {

    /** The hold under {@code scope: cluster}: long enough to cover the owner's propagation delay. */
    static final Duration CLUSTER_HOLD = Duration.ofSeconds(2);

    private record Local(int consecutive, Instant until) {
    }

    private final Map<String, Local> breakers = new HashMap<>();

    /** When calls to {@code target} may resume, or {@code null} when they may now. */
    public Instant until(final String target, final Instant now) {
        final Local l = breakers.get(target);
        return l == null || l.until() == null || !now.isBefore(l.until()) ? null : l.until();
    }

    /** Counts one call's outcome from this task toward {@code target}'s local hold. */
    public void onOutcome(final TargetConfig target, final boolean failure, final Instant now) {
        final Local before = breakers.getOrDefault(target.name(), new Local(0, null));
        if (!failure) {
            breakers.put(target.name(), new Local(0, null));
            return;
        }
        final int consecutive = before.consecutive() + 1;
        final CircuitPolicy p = target.circuit();
        Instant until = before.until();
        if (consecutive >= p.consecutiveFailures()) {
            final Duration hold = p.scope() == CircuitPolicy.Scope.TASK ? p.openFor()
                    : (p.openFor().compareTo(CLUSTER_HOLD) < 0 ? p.openFor() : CLUSTER_HOLD);
            until = now.plus(hold);
        }
        breakers.put(target.name(), new Local(consecutive, until));
    }
}
