package dev.rebound.classify;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The verdict on one failed attempt.
 *
 * @param category   what kind of failure it was
 * @param httpStatus the HTTP status, or {@code null} when no response arrived (transport failure)
 * @param message    a short, human-readable description (already free of configured secrets)
 * @param retryAfter the provider's hint for when to try again, if it gave one
 */
public record Classification(ErrorCategory category, Integer httpStatus, String message,
                             Optional<Duration> retryAfter) {

    public Classification {
        Objects.requireNonNull(category, "category");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(retryAfter, "retryAfter");
    }

    public Severity severity() {
        return category.severity();
    }

    public boolean retryable() {
        return category.retryable();
    }
}
