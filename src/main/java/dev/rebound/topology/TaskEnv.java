package dev.rebound.topology;

import dev.rebound.lifecycle.Env;
import dev.rebound.retry.GlobalRetryLimiter;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.random.RandomGenerator;

/** What the lifecycle may consult in one task: the instance's retry cap, the task's random source and its response cache. */
final class TaskEnv implements Env {

    private final GlobalRetryLimiter retryCap;
    private final RandomGenerator random;
    private final ResponseCache cache;

    TaskEnv(final GlobalRetryLimiter retryCap, final RandomGenerator random, final ResponseCache cache) {
        this.retryCap = retryCap;
        this.random = random;
        this.cache = cache;
    }

    @Override
    public boolean retryPermit(final Instant now) {
        return retryCap.tryAcquire(now);
    }

    @Override
    public RandomGenerator random() {
        return random;
    }

    @Override
    public Optional<Cached> cached(final String primary, final String cacheKey, final Duration ttl, final Instant now) {
        return cache.get(primary, cacheKey, now, ttl).map(c -> new Cached(c.response(), c.httpStatus()));
    }
}
