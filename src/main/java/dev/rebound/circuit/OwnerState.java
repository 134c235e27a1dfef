package dev.rebound.circuit;

import dev.rebound.config.CircuitPolicy;

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
 */
public record OwnerState(CircuitState state, Instant since, CircuitWindow window, int probeSuccesses, Instant openUntil,
                         String probeTask, List<String> reporters) {

    private static final int MAX_REPORTERS = 16;

    public OwnerState {
        reporters = List.copyOf(reporters);
    }

    public static OwnerState initial(final CircuitPolicy p, final Instant now) {
        return new OwnerState(CircuitState.CLOSED, now, CircuitWindow.empty(p), 0, null, null, List.of());
    }

    OwnerState reportedBy(final String task) {
        if (task == null || (!reporters.isEmpty() && reporters.get(0).equals(task))) {
            return this;
        }
        final List<String> r = new ArrayList<>(reporters);
        r.remove(task);
        r.add(0, task);
        return new OwnerState(state, since, window, probeSuccesses, openUntil, probeTask,
                r.size() > MAX_REPORTERS ? r.subList(0, MAX_REPORTERS) : r);
    }

    OwnerState with(final CircuitWindow w) {
        return new OwnerState(state, since, w, probeSuccesses, openUntil, probeTask, reporters);
    }
}
