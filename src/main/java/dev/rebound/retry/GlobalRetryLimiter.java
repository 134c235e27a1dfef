package dev.rebound.retry;

import java.time.Instant;

/**
 * The instance-wide cap on retries per second across all targets: a token bucket holding at most
 * one second of permits, and never less than one permit, so that a cap below one per second
 * (0.5: one retry every two seconds) still grants. Shared by all stream threads of an instance, hence synchronized; it is a
 * rate guard, not state that must survive a crash, so it lives in memory.
 */
public final class GlobalRetryLimiter {

    private final double perSecond;
    private final double capacity;
    private double tokens;
    private long lastMs = Long.MIN_VALUE;

    public GlobalRetryLimiter(final double perSecond) {
        this.perSecond = perSecond;
        this.capacity = Math.max(1.0, perSecond);
        this.tokens = capacity;
    }

    /** Takes one permit if there is one at {@code now}. */
    public synchronized boolean tryAcquire(final Instant now) {
        final long ms = now.toEpochMilli();
        if (lastMs != Long.MIN_VALUE && ms > lastMs) {
            tokens = Math.min(capacity, tokens + (ms - lastMs) * perSecond / 1000.0);
        }
        lastMs = Math.max(lastMs, ms);
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }
}
