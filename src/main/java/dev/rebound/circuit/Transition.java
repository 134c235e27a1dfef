package dev.rebound.circuit;

import java.util.Arrays;

/**
 * The legal moves of a circuit, held as data: a move that is not listed here is a bug, and
 * {@link #between} throws rather than let a circuit reach a state nobody designed.
 */
public enum Transition {
    CLOSED_TO_OPEN(CircuitState.CLOSED, CircuitState.OPEN),
    OPEN_TO_HALF_OPEN(CircuitState.OPEN, CircuitState.HALF_OPEN),
    HALF_OPEN_TO_CLOSED(CircuitState.HALF_OPEN, CircuitState.CLOSED),
    HALF_OPEN_TO_OPEN(CircuitState.HALF_OPEN, CircuitState.OPEN);

    private final CircuitState from;
    private final CircuitState to;

    Transition(final CircuitState from, final CircuitState to) {
        this.from = from;
        this.to = to;
    }

    public CircuitState from() {
        return from;
    }

    public CircuitState to() {
        return to;
    }

    /** The transition from {@code from} to {@code to}; throws {@link IllegalStateException} for an illegal move. */
    public static Transition between(final CircuitState from, final CircuitState to) {
        return Arrays.stream(values()).filter(t -> t.from == from && t.to == to).findFirst()
                .orElseThrow(() -> new IllegalStateException("illegal circuit transition " + from + " -> " + to));
    }
}
