package dev.rebound.execute;

import java.time.Duration;
import java.util.Objects;

/**
 * One attempt to be made: what to send to which target, and how long to wait.
 *
 * @param requestId the request id, sent as {@code Idempotency-Key}
 * @param target    the target name
 * @param attempt   1-based attempt number, sent as {@code X-Rebound-Attempt}
 * @param body      the JSON payload bytes
 * @param timeout   the target's timeout, already capped by the request's remaining time
 * @param untilDeadline the request's remaining time when the attempt was submitted: an attempt
 *                  that waits for a slot may wait until then, and then gets what is left of it
 *                  as its timeout if that is less than {@code timeout}
 */
public record CallSpec(String requestId, String target, int attempt, byte[] body, Duration timeout, Duration untilDeadline) {

    /** An attempt whose wait for a slot is bounded by its own timeout (no deadline known). */
    public CallSpec(final String requestId, final String target, final int attempt, final byte[] body, final Duration timeout) {
        this(requestId, target, attempt, body, timeout, timeout);
    }

    public CallSpec {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(untilDeadline, "untilDeadline");
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt must be at least 1, was " + attempt);
        }
    }
}
