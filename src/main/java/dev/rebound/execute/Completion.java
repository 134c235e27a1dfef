package dev.rebound.execute;

import dev.rebound.lifecycle.CallOutcome;

/**
 * A finished attempt waiting to be handled on the stream thread.
 *
 * @param called whether the target was called at all: an attempt whose request's deadline passed
 *               while it waited in line ends as a {@code TIMEOUT} without a call, which says
 *               nothing about the target and must not count for its circuit or error window
 */
public record Completion(CallSpec spec, CallOutcome outcome, boolean called) {
}
