package dev.rebound.lifecycle;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * The few things {@link Lifecycle#next} may consult besides the entry and the event: each one a
 * value or a query over state the processor holds, so that tests can pin every one.
 */
public interface Env {

    /** A cached answer: the last good response of a target for a cache key. */
    record Cached(JsonNode response, Integer httpStatus) {
    }

    /** Takes a permit from the instance-wide retry cap; asked only when everything else allows a retry. */
    boolean retryPermit(Instant now);

    /** The random source for backoff jitter. */
    RandomGenerator random();

    /** The last good response of {@code primary} for {@code cacheKey}, if younger than {@code ttl}. */
    Optional<Cached> cached(String primary, String cacheKey, Duration ttl, Instant now);
}
