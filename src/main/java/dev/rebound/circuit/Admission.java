package dev.rebound.circuit;

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

    /** Why a call was not admitted. */
    public enum Why { CIRCUIT, LOCAL, DISABLED }

    /** Do not call; ask again at {@code until}. */
    public record Defer(Instant until, String reason, Why why) implements Decision {
    }

    /** How long a request waits before asking again while an operator has its target disabled. */
    static final Duration DISABLED_RECHECK = Duration.ofSeconds(1);

    private Admission() {
    }

    /**
     * @param chain          the circuit records of the target, then its parent, grandparent, ...
     *                       ({@code null} where a target has no record yet: CLOSED)
     * @param task           this task's id
     * @param probesInFlight this task's probe calls running now, per target of the chain, same order
     * @param localUntil     when this task's local breaker for the target reopens, or {@code null}
     */
    public static Decision decide(final List<CircuitRecord> chain, final String task, final List<Integer> probesInFlight,
                                  final Instant localUntil, final Instant now) {
        return decide(List.of(), List.of(), chain, task, probesInFlight, localUntil, now);
    }

    /**
     * @param names    the target and its ancestors, in the order of {@code controls}
     * @param controls the operator switches of those ({@code null} where none was ever set)
     */
    public static Decision decide(final List<String> names, final List<ControlRecord> controls, final List<CircuitRecord> chain,
                                  final String task, final List<Integer> probesInFlight, final Instant localUntil, final Instant now) {
        for (int i = 0; i < controls.size(); i++) {
            final ControlRecord c = controls.get(i);
            if (c != null && c.disabled()) {
                return new Defer(now.plus(DISABLED_RECHECK), names.get(i) + " is disabled by an operator"
                        + (c.reason() == null || c.reason().isBlank() ? "" : ": " + c.reason()), Why.DISABLED);
            }
        }
        String probeTarget = null;
        for (int i = 0; i < chain.size(); i++) {
            final CircuitRecord c = chain.get(i);
            if (c == null || c.state() == CircuitState.CLOSED) {
                continue;
            }
            if (c.state() == CircuitState.OPEN) {
                final Instant until = c.openUntil() == null ? now.plus(MIN_WAIT) : c.openUntil();
                return new Defer(until.isAfter(now.plus(MIN_WAIT)) ? until : now.plus(MIN_WAIT),
                        "the circuit of " + c.target() + " is OPEN (" + c.reason() + ")", Why.CIRCUIT);
            }
            if (!task.equals(c.probeTask()) || probesInFlight.get(i) >= c.probes()) {
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
