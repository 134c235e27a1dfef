package dev.rebound.execute;

/** A finished attempt waiting to be handled on the stream thread. */
public record Completion(CallSpec spec, CallOutcome outcome) {
}
