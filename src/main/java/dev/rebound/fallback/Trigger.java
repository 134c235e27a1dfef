package dev.rebound.fallback;

import dev.rebound.classify.ErrorCategory;
import dev.rebound.config.FallbackStep;
import dev.rebound.request.DeadLetterReason;

/**
 * Why the primary target could not answer: what a fallback step's {@code on} list is matched
 * against, and what the dead letter says when no step can answer either.
 *
 * @param category the last error's category ({@code CIRCUIT_OPEN} when no call was admitted)
 * @param reason   why the primary gave up: a {@link DeadLetterReason} name, or {@code DISABLED}
 * @param message  what happened, for the dead letter
 */
public record Trigger(String category, String reason, String message) {

    public static Trigger of(final ErrorCategory category, final DeadLetterReason reason, final String message) {
        return new Trigger(category.name(), reason.name(), message);
    }

    /** The dead-letter reason when no fallback step applies: the primary's own. */
    public DeadLetterReason deadLetterReason() {
        return FallbackStep.DISABLED.equals(reason) ? DeadLetterReason.DEADLINE_EXCEEDED : DeadLetterReason.valueOf(reason);
    }
}
