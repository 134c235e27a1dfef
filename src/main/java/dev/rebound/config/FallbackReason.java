package dev.rebound.config;

/**
 * Why the primary target gave up, as a fallback step's {@code on} list names it besides the error
 * categories (DESIGN §5 {@code fallback}): the dead-letter reasons of the same names, and
 * {@code DISABLED} for a target an operator disabled. {@code CIRCUIT_OPEN} is a reason too, but an
 * {@code on} list names it as the category of the same name, so it is not one of {@link FallbackStep#REASONS}.
 * In JSON (the in-flight entry's trigger) each is its name.
 */
public enum FallbackReason {
    NON_RETRYABLE(true),
    RETRIES_EXHAUSTED(true),
    RETRY_BUDGET_EXHAUSTED(true),
    DEADLINE_EXCEEDED(true),
    CIRCUIT_OPEN(false),
    /** An operator disabled the target: no call was made. */
    DISABLED(true);

    private final boolean onList;

    FallbackReason(final boolean onList) {
        this.onList = onList;
    }

    /** Whether an {@code on} list may name this reason (else it is matched by its category). */
    public boolean onList() {
        return onList;
    }
}
