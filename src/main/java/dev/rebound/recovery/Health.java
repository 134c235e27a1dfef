package dev.rebound.recovery;

import java.time.Instant;

/**
 * The recovery side of a target's {@code circuit.OwnerState}.
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

    /** This health moved to {@code to} (a legal move of {@link HealthState}) at {@code now}, with counters reset. */
    public Health entering(final HealthState to, final Instant now, final int percent) {
        return new Health(state == to ? to : state.moveTo(to), now, 0, 0, 0, percent, to == HealthState.RECOVERING ? now : null);
    }

    /** This health after one more health check, passed or failed. */
    public Health checked(final boolean passed) {
        return new Health(state, since, passed ? passes + 1 : 0, passed ? 0 : fails + 1, step, percent, stepSince);
    }

    /** This health on ramp step {@code nextStep}, admitting {@code nextPercent} % from {@code now}. */
    public Health atStep(final int nextStep, final int nextPercent, final Instant now) {
        return new Health(state, since, passes, fails, nextStep, nextPercent, now);
    }
}
