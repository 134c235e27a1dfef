package dev.rebound.circuit;

import java.time.Instant;

/**
 * The recovery side of a target's {@link OwnerState}.
 *
 * @param state     the health state
 * @param since     when it was entered
 * @param passes    health checks passed in a row
 * @param fails     health checks failed in a row
 * @param step      while RECOVERING, the index of the current ramp step
 * @param percent   the share of ordinary traffic admitted now: 100 HEALTHY, 0 DEGRADED or FAILED,
 *                  the ramp step's percentage RECOVERING (0 for a circuit without recovery,
 *                  whose HALF_OPEN admits probe calls only)
 * @param stepSince when the current ramp step began
 */
public record Health(HealthState state, Instant since, int passes, int fails, int step, int percent, Instant stepSince) {

    public static Health healthy(final Instant now) {
        return new Health(HealthState.HEALTHY, now, 0, 0, 0, 100, null);
    }

    Health entering(final HealthState to, final Instant now, final int percent) {
        return new Health(state == to ? to : state.moveTo(to), now, 0, 0, 0, percent, to == HealthState.RECOVERING ? now : null);
    }

    Health checked(final boolean passed) {
        return new Health(state, since, passed ? passes + 1 : 0, passed ? 0 : fails + 1, step, percent, stepSince);
    }

    Health atStep(final int nextStep, final int nextPercent, final Instant now) {
        return new Health(state, since, passes, fails, nextStep, nextPercent, now);
    }
}
