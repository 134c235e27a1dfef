package dev.rebound.classify;

/**
 * What kind of failure an attempt ended in. Each category carries its severity and whether
 * trying the same call again can succeed; both are fixed here so that every component (retry,
 * circuit, fallback, metrics) reads them from one place.
 *
 * <p>{@link #UNKNOWN} is deliberately not retryable: retrying what we cannot explain is how
 * retry storms start.
 */
public enum ErrorCategory {
    /** A failure that is expected to clear on its own (e.g. HTTP 425, 409 from a busy backend). */
    TRANSIENT(Severity.MEDIUM, true),
    /** The provider asked us to slow down (HTTP 429, {@code rate_limit_error}). */
    RATE_LIMITED(Severity.MEDIUM, true),
    /** Credentials are missing, wrong or lack permission (HTTP 401/403): never retried. */
    AUTHENTICATION(Severity.CRITICAL, false),
    /** The request itself is wrong (HTTP 400/422). */
    VALIDATION(Severity.LOW, false),
    /** The prompt does not fit the model's context window; a larger model may take it. */
    CONTEXT_TOO_LONG(Severity.LOW, false),
    /** The provider refused the content. */
    CONTENT_POLICY(Severity.LOW, false),
    /** The account's quota or billing limit is spent; only a person can fix it. */
    QUOTA_EXHAUSTED(Severity.HIGH, false),
    /** The model, tool or route does not exist (HTTP 404). */
    NOT_FOUND(Severity.MEDIUM, false),
    /** The provider failed (HTTP 5xx, 529 overloaded). */
    SERVER_ERROR(Severity.MEDIUM, true),
    /** No answer within the timeout (transport timeout, HTTP 408, 504). */
    TIMEOUT(Severity.MEDIUM, true),
    /** The connection could not be made or broke (refused, reset, DNS). */
    NETWORK(Severity.HIGH, true),
    /** Rebound did not call because the target's circuit is open. */
    CIRCUIT_OPEN(Severity.MEDIUM, true),
    /** Nothing above matched. */
    UNKNOWN(Severity.MEDIUM, false),
    /**
     * The target answered, but with more than {@code limits.maxResponseBytes}, or with more than
     * fits the Kafka record of the result. Not retried (the same call would give the same answer)
     * and not held against the target's circuit (a healthy target answered); the fallback chain
     * may serve the request. Declared last: stored counters are indexed by ordinal.
     */
    RESPONSE_TOO_LARGE(Severity.MEDIUM, false);

    private final Severity severity;
    private final boolean retryable;

    ErrorCategory(final Severity severity, final boolean retryable) {
        this.severity = severity;
        this.retryable = retryable;
    }

    public Severity severity() {
        return severity;
    }

    public boolean retryable() {
        return retryable;
    }
}
