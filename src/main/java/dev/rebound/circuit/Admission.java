package dev.rebound.circuit;

import dev.rebound.recovery.HealthState;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Whether a task may call a target now: not while an operator has it (or an ancestor) disabled,
 * then from the circuits of the target and of its ancestors (as read from the global circuits
 * store) and the task's own fast local breaker. Pure.
 */
public final class Admission {

    /** How long a request waits before asking again while a circuit is HALF_OPEN elsewhere. */
    static final Duration HALF_OPEN_RECHECK = Duration.ofSeconds(1);
    /** The shortest wait while OPEN, so that a circuit about to probe is not asked in a busy loop. */
    static final Duration MIN_WAIT = Duration.ofMillis(200);

    /** The answer. */
    public sealed interface Decision {
    }

    /** Call now; {@code probe} when it is one of the HALF_OPEN probe calls. */
    public record Admit(boolean probe, String probeTarget) implements Decision {
    }

    /** Why a call was not admitted: an OPEN or probing circuit, the local breaker, an operator or FAILED health, the recovery ramp. */
    public enum Why { CIRCUIT, LOCAL, DISABLED, RAMP }

    /** Do not call; ask again at {@code until}. */
    public record Defer(Instant until, String reason, Why why) implements Decision {
    }

    /**
     * One level of a target's lineage as a task sees it when it asks: the target itself first, then
     * its parent, grandparent, ...
     *
     * @param target         the target's name
     * @param control        its operator switch ({@code null} where none was ever set)
     * @param circuit        its circuit record from the global store ({@code null} where it has none
     *                       yet, which is CLOSED, or where the task does not consult the circuits)
     * @param probesInFlight this task's probe calls running now against it
     */
    public record Level(String target, ControlRecord control, CircuitRecord circuit, int probesInFlight) {
    }

    /** How long a request not admitted by the recovery ramp waits before it draws again. */
    static final Duration RAMP_RECHECK = Duration.ofSeconds(1);

    /** How long a request waits before asking again while an operator has its target disabled. */
    static final Duration DISABLED_RECHECK = Duration.ofSeconds(1);

    private Admission() {
    }

    /**
     * The operators' switches first (any level disabled defers), then the circuits level by level,
     * then this task's local breaker.
     *
     * @param lineage    the target, then its ancestors
     * @param task       this task's id
     * @param localUntil when this task's local breaker for the target reopens, or {@code null}
     * @param draw       a uniform random number in [0, 1) for this request: while a target is
     *                   RECOVERING it is admitted when {@code draw * 100 < trafficPercent}
     */
    public static Decision decide(final List<Level> lineage, final String task, final Instant localUntil, final double draw,
                                  final Instant now) {
        for (final Level level : lineage) {
            final ControlRecord c = level.control();
            if (c != null && c.disabled()) {
                return new Defer(now.plus(DISABLED_RECHECK), level.target() + " is disabled by an operator"
                        + (c.reason() == null || c.reason().isBlank() ? "" : ": " + c.reason()), Why.DISABLED);
            }
        }
        String probeTarget = null;
        for (final Level level : lineage) {
            final CircuitRecord c = level.circuit();
            if (c == null || c.state() == CircuitState.CLOSED) {
                continue;
            }
            if (c.health() == HealthState.FAILED) {
                return new Defer(now.plus(DISABLED_RECHECK), c.target() + " FAILED its health checks (" + c.reason()
                        + ") and is treated as disabled until it recovers", Why.DISABLED);
            }
            if (c.state() == CircuitState.HALF_OPEN && c.trafficPercent() > 0) {
                // recovering: every task admits the published share, request by request
                if (draw * 100 >= c.trafficPercent()) {
                    return new Defer(now.plus(RAMP_RECHECK), c.target() + " is recovering and admits " + c.trafficPercent()
                            + "% of requests; this one was not admitted", Why.RAMP);
                }
                continue;
            }
            if (c.state() == CircuitState.OPEN) {
                final Instant until = c.openUntil() == null ? now.plus(MIN_WAIT) : c.openUntil();
                return new Defer(until.isAfter(now.plus(MIN_WAIT)) ? until : now.plus(MIN_WAIT),
                        "the circuit of " + c.target() + " is OPEN (" + c.reason() + ")", Why.CIRCUIT);
            }
            if (!task.equals(c.probeTask()) || level.probesInFlight() >= c.probes()) {
                return new Defer(now.plus(HALF_OPEN_RECHECK), "the circuit of " + c.target() + " is HALF_OPEN and probing from another call",
                        Why.CIRCUIT);
            }
            probeTarget = probeTarget == null ? c.target() : probeTarget;
        }
        if (localUntil != null && now.isBefore(localUntil)) {
            return new Defer(localUntil, "the local breaker of this task tripped after consecutive failures", Why.LOCAL);
        }
        return new Admit(probeTarget != null, probeTarget);
    }
}
