package dev.rebound.circuit;

import dev.rebound.config.CircuitPolicy;
import dev.rebound.config.RecoveryPolicy;
import dev.rebound.recovery.Health;
import dev.rebound.recovery.HealthState;
import dev.rebound.time.Durations;

import java.time.Instant;
import java.util.Optional;

/**
 * Recovery's decisions, pure like {@link CircuitMachine} and working on the same {@link OwnerState}:
 * health checks move a target between HEALTHY, DEGRADED, FAILED and RECOVERING, and time moves
 * the traffic ramp up one step per {@code stepEvery} while the target stays healthy.
 * <pre>
 *   HEALTHY    --degradeAfter failed checks (or the circuit trips on real calls)--> DEGRADED   (circuit OPEN)
 *   DEGRADED   --recoverAfter passed checks--> RECOVERING at rampSteps[0]%                     (circuit HALF_OPEN)
 *   DEGRADED   --failAfter failed checks--> FAILED (treated as disabled)                       (circuit OPEN)
 *   FAILED     --recoverAfter passed checks--> RECOVERING
 *   RECOVERING --stepEvery with the last check passed--> the next step; past the last, or at 100%: HEALTHY (CLOSED)
 *   RECOVERING --one failed check or one failed call--> DEGRADED at once                       (circuit OPEN)
 * </pre>
 */
public final class HealthMachine {

    private HealthMachine() {
    }

    /** A health check of the target finished; {@code detail} says what it saw. */
    public static CircuitMachine.Step onCheck(final OwnerState s, final boolean passed, final String detail, final CircuitPolicy p,
                                              final RecoveryPolicy r, final String target, final Instant now) {
        final Health h = s.health().checked(passed);
        final OwnerState checked = s.with(h);
        return switch (h.state()) {
            case HEALTHY -> h.fails() >= r.degradeAfter() && s.state() == CircuitState.CLOSED
                    ? CircuitMachine.open(checked, target, now, h.fails() + " health checks failed in a row (" + detail + ")", r.interval(), p)
                    : unchanged(checked);
            case DEGRADED, FAILED -> {
                if (h.passes() >= r.recoverAfter()) {
                    yield recovering(checked, p, r, target, now, h.passes() + " health checks passed in a row");
                }
                if (h.state() == HealthState.DEGRADED && h.fails() >= r.failAfter()) {
                    final OwnerState failed = checked.with(h.entering(HealthState.FAILED, now, 0));
                    yield new CircuitMachine.Step(failed, Optional.of(CircuitMachine.record(failed, target, now,
                            h.fails() + " health checks failed in a row (" + detail + "); treated as disabled until it recovers", p)));
                }
                yield unchanged(checked);
            }
            case RECOVERING -> passed || s.state() != CircuitState.HALF_OPEN ? unchanged(checked)
                    : CircuitMachine.open(checked, target, now, "a health check failed while recovering at " + h.percent() + "% (" + detail + ")",
                    r.interval(), p);
        };
    }

    /** Time passing: RECOVERING moves up one ramp step per {@code stepEvery} while its last check passed. */
    public static CircuitMachine.Step onTick(final OwnerState s, final CircuitPolicy p, final RecoveryPolicy r, final String target,
                                             final Instant now) {
        final Health h = s.health();
        if (h.state() != HealthState.RECOVERING || s.state() != CircuitState.HALF_OPEN || h.stepSince() == null
                || now.isBefore(h.stepSince().plus(r.stepEvery())) || h.fails() > 0) {
            return unchanged(s);
        }
        final int next = h.step() + 1;
        if (next >= r.rampSteps().size() || r.rampSteps().get(next) >= 100) {
            return CircuitMachine.close(s, target, now, "recovered: full traffic after " + next + " healthy step(s) of "
                    + Durations.format(r.stepEvery()), p);
        }
        // a step is published as entered now: "since" is when the state and its traffic share took effect
        final OwnerState up = s.steppedAt(now, h.atStep(next, r.rampSteps().get(next), now));
        return new CircuitMachine.Step(up, Optional.of(CircuitMachine.record(up, target, now,
                "ramping: " + r.rampSteps().get(next) + "% of traffic (step " + (next + 1) + " of " + r.rampSteps().size() + ")", p)));
    }

    private static CircuitMachine.Step recovering(final OwnerState s, final CircuitPolicy p, final RecoveryPolicy r, final String target,
                                                  final Instant now, final String why) {
        Transition.between(s.state(), CircuitState.HALF_OPEN);
        final int percent = r.rampSteps().get(0);
        final OwnerState half = s.halfOpen(now, s.window().cleared(), null, s.health().entering(HealthState.RECOVERING, now, percent));
        return new CircuitMachine.Step(half, Optional.of(CircuitMachine.record(half, target, now,
                why + "; ramping: " + percent + "% of traffic (step 1 of " + r.rampSteps().size() + ")", p)));
    }

    private static CircuitMachine.Step unchanged(final OwnerState s) {
        return new CircuitMachine.Step(s, Optional.empty());
    }
}
