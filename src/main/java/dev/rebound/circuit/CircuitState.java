package dev.rebound.circuit;

/** The state of a circuit. */
public enum CircuitState {
    /** Calls flow; outcomes are counted. */
    CLOSED,
    /** Calls fail fast without touching the network until {@code openFor} has passed. */
    OPEN,
    /** A few probe calls test the target; they close the circuit or open it again. */
    HALF_OPEN
}
