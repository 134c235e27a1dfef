package dev.rebound.topology;

import dev.rebound.lifecycle.InFlightEntry;

/** State store names. Changelog topics are named after them by Kafka Streams. */
public final class StoreNames {

    /** Request id to {@link InFlightEntry}: every request that has no terminal record yet. */
    public static final String IN_FLIGHT = "rebound-in-flight";
    /** Request id to its terminal record, windowed by arrival time: the dedup memory. */
    public static final String DEDUP = "rebound-dedup";

    /** Target name to {@code TargetRetryState}: budget, error window and adaptive limit, per task. */
    public static final String RETRY_STATE = "rebound-retry-state";
    /** Due time and request id to attempt number: the retries waiting in this task (see {@code TimerKey}). */
    public static final String TIMERS = "rebound-timers";

    /** Target to {@code OwnerState}: the circuits this task owns (by the hash of the target name). */
    public static final String CIRCUIT_OWNER = "rebound-circuit-owner";
    /** Target to {@code CircuitRecord}: every circuit, read from {@code agent-circuits}; a global store. */
    public static final String CIRCUITS = "rebound-circuits";

    /** Target to {@code ControlRecord}: the operators' switches, read from {@code agent-control}; a global store. */
    public static final String CONTROL = "rebound-control";

    /** Target to {@code QuotaLedger}: the rate limits this task owns (by the hash of the target name). */
    public static final String QUOTA_OWNER = "rebound-quota-owner";
    /** Grant and summary records of every rate-limited target, read from {@code agent-quota}; a global store. */
    public static final String QUOTA = "rebound-quota";
    /** Target and cache key to the last good response ({@code ResponseCache}): the cache fallback step. */
    public static final String CACHE = "rebound-cache";
    /** Target, store time and cache key, in age order: bounds the cache per target. */
    public static final String CACHE_INDEX = "rebound-cache-index";

    private StoreNames() {
    }
}
