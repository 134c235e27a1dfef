package dev.rebound.request;

import java.time.Instant;

/**
 * One failed attempt in a request's history (DESIGN §4).
 *
 * @param attempt      1 for the first call
 * @param at           when the attempt started
 * @param target       the target called (a fallback target may differ from the request's)
 * @param category     the error category, by name
 * @param severity     the category's severity, by name
 * @param httpStatus   {@code null} when no HTTP response arrived
 * @param message      the error, free of secrets
 * @param durationMs   how long the attempt took
 * @param retryAfterMs the provider's retry hint, or {@code null}
 * @param waitMs       how long Rebound waited after this attempt before the next, or {@code null}
 *                     when no attempt followed
 */
public record Attempt(int attempt, Instant at, String target, String category, String severity, Integer httpStatus,
                      String message, long durationMs, Long retryAfterMs, Long waitMs) {

    /** This attempt with the wait that followed it. */
    public Attempt followedBy(final long wait) {
        return new Attempt(attempt, at, target, category, severity, httpStatus, message, durationMs, retryAfterMs, wait);
    }
}
