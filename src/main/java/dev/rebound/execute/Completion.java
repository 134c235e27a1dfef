package dev.rebound.execute;

import dev.rebound.lifecycle.CallOutcome;

/** A finished attempt waiting to be handled on the stream thread. */
public record Completion(CallSpec spec, CallOutcome outcome) {
}
