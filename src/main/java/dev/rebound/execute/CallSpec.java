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
 */
public record CallSpec(String requestId, String target, int attempt, byte[] body, Duration timeout) {

    public CallSpec {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(timeout, "timeout");
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt must be at least 1, was " + attempt);
        }
    }
}
