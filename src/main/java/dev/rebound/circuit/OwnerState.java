package dev.rebound.circuit;

import dev.rebound.config.CircuitPolicy;
import dev.rebound.recovery.Health;
import dev.rebound.recovery.HealthState;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What the owner task of a target keeps about its circuit.
 *
 * @param state          the current state
 * @param since          when it was entered
 * @param window         the sliding window (counted while CLOSED)
 * @param probeSuccesses successful probes so far (HALF_OPEN)
 * @param openUntil      when OPEN ends, or {@code null}
 * @param probeTask      the task allowed to probe (HALF_OPEN), or {@code null}
 * @param reporters      tasks that reported outcomes recently, most recent first (at most 16)
 * @param health         the target's health and traffic share (see {@link Health})
 */
public record OwnerState(CircuitState state, Instant since, CircuitWindow window, int probeSuccesses, Instant openUntil,
                         String probeTask, List<String> reporters, Health health) {

    private static final int MAX_REPORTERS = 16;

    public OwnerState {
        reporters = List.copyOf(reporters);
        if (health == null) { // a state stored before health existed: the health its circuit state implies
            health = switch (state) {
                case CLOSED -> Health.healthy(since);
                case OPEN -> new Health(HealthState.DEGRADED, since, 0, 0, 0, 0, null);
                case HALF_OPEN -> new Health(HealthState.RECOVERING, since, 0, 0, 0, 0, since);
            };
        }
    }

    public static OwnerState initial(final CircuitPolicy p, final Instant now) {
        return new OwnerState(CircuitState.CLOSED, now, CircuitWindow.empty(p), 0, null, null, List.of(), Health.healthy(now));
    }

    OwnerState reportedBy(final String task) {
        if (task == null || (!reporters.isEmpty() && reporters.get(0).equals(task))) {
            return this;
        }
        final List<String> r = new ArrayList<>(reporters);
        r.remove(task);
        r.add(0, task);
        return new OwnerState(state, since, window, probeSuccesses, openUntil, probeTask,
                r.size() > MAX_REPORTERS ? r.subList(0, MAX_REPORTERS) : r, health);
    }

    /** OPEN from {@code now} until {@code until}: no probe task, no probe counted. */
    OwnerState opened(final Instant now, final Instant until, final Health h) {
        return new OwnerState(CircuitState.OPEN, now, window, 0, until, null, reporters, h);
    }

    /** HALF_OPEN from {@code now} with window {@code w}, probed from {@code probe} ({@code null}: by the ramp, not a probe task). */
    OwnerState halfOpen(final Instant now, final CircuitWindow w, final String probe, final Health h) {
        return new OwnerState(CircuitState.HALF_OPEN, now, w, 0, null, probe, reporters, h);
    }

    /** CLOSED from {@code now}, counting afresh. */
    OwnerState closed(final Instant now, final Health h) {
        return new OwnerState(CircuitState.CLOSED, now, window.cleared(), 0, null, null, reporters, h);
    }

    /** {@code successes} probes have succeeded so far (HALF_OPEN). */
    OwnerState probed(final int successes) {
        return new OwnerState(state, since, window, successes, null, probeTask, reporters, health);
    }

    /** The same circuit state, entered anew at {@code now} with health {@code h}: a step of the recovery ramp. */
    OwnerState steppedAt(final Instant now, final Health h) {
        return new OwnerState(state, now, window, probeSuccesses, openUntil, probeTask, reporters, h);
    }

    OwnerState with(final CircuitWindow w) {
        return new OwnerState(state, since, w, probeSuccesses, openUntil, probeTask, reporters, health);
    }

    OwnerState with(final Health h) {
        return new OwnerState(state, since, window, probeSuccesses, openUntil, probeTask, reporters, h);
    }
}
