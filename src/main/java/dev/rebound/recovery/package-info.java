/**
 * A target's health and traffic share after an outage, and the legal moves between health states. Pure; the
 * decisions that move them live in {@code circuit.HealthMachine}, beside the circuit machine they share a state with.
 */
package dev.rebound.recovery;
