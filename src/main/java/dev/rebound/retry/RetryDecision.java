package dev.rebound.retry;

import dev.rebound.request.DeadLetterReason;

import java.time.Duration;
import java.time.Instant;

/** What to do after a failed attempt: wait and try again, or stop. */
public sealed interface RetryDecision {

    /**
     * @param delay how long to wait: {@code max(backoff, hint)}
     * @param dueAt when the next attempt may start
     * @param tier  the delay tier whose topic carries the request meanwhile
     */
    record Retry(Duration delay, Instant dueAt, Duration tier) implements RetryDecision {
    }

    /** No more attempts; {@code message} says why, for the dead letter. */
    record GiveUp(DeadLetterReason reason, String message) implements RetryDecision {
    }
}
