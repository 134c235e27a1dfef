package dev.rebound.fallback;

import dev.rebound.classify.ErrorCategory;
import dev.rebound.config.FallbackReason;
import dev.rebound.request.DeadLetterReason;

/**
 * Why the primary target could not answer: what a fallback step's {@code on} list is matched
 * against, and what the dead letter says when no step can answer either. Stored in the in-flight
 * entry, where both enums are written by name.
 *
 * @param category the last error's category ({@code CIRCUIT_OPEN} when no call was admitted)
 * @param reason   why the primary gave up
 * @param message  what happened, for the dead letter
 */
public record Trigger(ErrorCategory category, FallbackReason reason, String message) {

    /** The trigger of a primary that gave up with {@code reason}, one of the retry planner's give-up reasons. */
    public static Trigger of(final ErrorCategory category, final DeadLetterReason reason, final String message) {
        return new Trigger(category, reasonOf(reason), message);
    }

    /** The dead-letter reason when no fallback step applies: the primary's own ({@code DEADLINE_EXCEEDED} for a disabled one). */
    public DeadLetterReason deadLetterReason() {
        return switch (reason) {
            case NON_RETRYABLE -> DeadLetterReason.NON_RETRYABLE;
            case RETRIES_EXHAUSTED -> DeadLetterReason.RETRIES_EXHAUSTED;
            case RETRY_BUDGET_EXHAUSTED -> DeadLetterReason.RETRY_BUDGET_EXHAUSTED;
            case DEADLINE_EXCEEDED, DISABLED -> DeadLetterReason.DEADLINE_EXCEEDED;
            case CIRCUIT_OPEN -> DeadLetterReason.CIRCUIT_OPEN;
        };
    }

    private static FallbackReason reasonOf(final DeadLetterReason reason) {
        return switch (reason) {
            case NON_RETRYABLE -> FallbackReason.NON_RETRYABLE;
            case RETRIES_EXHAUSTED -> FallbackReason.RETRIES_EXHAUSTED;
            case RETRY_BUDGET_EXHAUSTED -> FallbackReason.RETRY_BUDGET_EXHAUSTED;
            case DEADLINE_EXCEEDED -> FallbackReason.DEADLINE_EXCEEDED;
            case CIRCUIT_OPEN -> FallbackReason.CIRCUIT_OPEN;
            default -> throw new IllegalArgumentException("a primary does not give up with " + reason);
        };
    }
}
