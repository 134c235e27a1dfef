package dev.rebound.circuit;

import dev.rebound.classify.ErrorCategory;

import java.time.Instant;

/**
 * One attempt's outcome, as sent by the task that made it to the task that owns the target.
 *
 * @param target     the target (or an ancestor group: a child's outcome counts for its parents too)
 * @param at         when the attempt ended
 * @param success    whether it succeeded
 * @param category   the failure's category, or {@code null} for a success (by name in JSON)
 * @param durationMs how long it took
 * @param task       the reporting task, e.g. {@code 0_3}: candidates for HALF_OPEN probes
 */
public record Outcome(String target, Instant at, boolean success, ErrorCategory category, long durationMs, String task) {
}
