package dev.rebound.client;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The optional parts of a call (DESIGN §2): immutable, each {@code with}-style method returns a copy,
 * checks its own input and states its default. Whatever is not set is left to Rebound's
 * configuration ({@code limits.defaultTimeout}, the target's policy).
 */
public final class CallOptions {

    /** Who waits first and who is shed first when a target is rate-limited. */
    public enum Priority {
        HIGH, NORMAL, LOW;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private static final CallOptions DEFAULTS = new CallOptions(null, null, null, null, null, null, null, null, null);

    private final String id;
    private final String key;
    private final Instant deadline;
    private final Duration timeout;
    private final Priority priority;
    private final Object policy;
    private final Object metadata;
    private final String cacheKey;
    private final Duration wait;

    private CallOptions(final String id, final String key, final Instant deadline, final Duration timeout, final Priority priority,
                        final Object policy, final Object metadata, final String cacheKey, final Duration wait) {
        this.id = id;
        this.key = key;
        this.deadline = deadline;
        this.timeout = timeout;
        this.priority = priority;
        this.policy = policy;
        this.metadata = metadata;
        this.cacheKey = cacheKey;
        this.wait = wait;
    }

    /** No option set. */
    public static CallOptions defaults() {
        return DEFAULTS;
    }

    /** The request id, its idempotency key: 1..200 visible ASCII characters. Default: a random UUID. */
    public CallOptions id(final String id) {
        if (id == null || !id.matches("[\\x21-\\x7E]{1,200}")) {
            throw new IllegalArgumentException("id must be 1..200 visible ASCII characters, was " + id);
        }
        return new CallOptions(id, key, deadline, timeout, priority, policy, metadata, cacheKey, wait);
    }

    /** The record key (e.g. a session id; requests with one key keep their order). Default: the id. */
    public CallOptions key(final String key) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("key must be a non-empty string");
        }
        return new CallOptions(id, key, deadline, timeout, priority, policy, metadata, cacheKey, wait);
    }

    /** When the request must be finished. Default: none, so Rebound's {@code limits.defaultTimeout} applies. Clears {@link #timeout}. */
    public CallOptions deadline(final Instant deadline) {
        return new CallOptions(id, key, Objects.requireNonNull(deadline, "deadline"), null, priority, policy, metadata, cacheKey, wait);
    }

    /** The deadline as a time from Rebound's arrival ({@code timeoutMs}), 1 ms to 7 days. Default: none. Clears {@link #deadline}. */
    public CallOptions timeout(final Duration timeout) {
        if (timeout == null || timeout.toMillis() < 1 || timeout.compareTo(Duration.ofDays(7)) > 0) {
            throw new IllegalArgumentException("timeout must be between 1 ms and 7 days, was " + timeout);
        }
        return new CallOptions(id, key, null, timeout, priority, policy, metadata, cacheKey, wait);
    }

    /** The request's priority. Default: none sent, which Rebound reads as {@code normal}. */
    public CallOptions priority(final Priority priority) {
        return new CallOptions(id, key, deadline, timeout, Objects.requireNonNull(priority, "priority"), policy, metadata, cacheKey, wait);
    }

    /**
     * The request's {@code policy} object (any value Jackson writes as a JSON object, e.g.
     * {@code Map.of("tokens", 1200)}); it may only narrow the target's policy. Default: none.
     */
    public CallOptions policy(final Object policy) {
        return new CallOptions(id, key, deadline, timeout, priority, Objects.requireNonNull(policy, "policy"), metadata, cacheKey, wait);
    }

    /** Labels echoed into the outcome (a JSON object, e.g. a {@code Map}). Default: none. */
    public CallOptions metadata(final Object metadata) {
        return new CallOptions(id, key, deadline, timeout, priority, policy, Objects.requireNonNull(metadata, "metadata"), cacheKey, wait);
    }

    /** The response cache's key for a cache fallback. Default: a hash of the target and the payload. */
    public CallOptions cacheKey(final String cacheKey) {
        if (cacheKey == null || cacheKey.isEmpty() || cacheKey.length() > 512) {
            throw new IllegalArgumentException("cacheKey must be 1..512 characters");
        }
        return new CallOptions(id, key, deadline, timeout, priority, policy, metadata, cacheKey, wait);
    }

    /**
     * How long the returned future waits before it ends with {@link WaitTimedOut}; the request is
     * not cancelled. Default: the client's {@link ReboundClient.Builder#defaultWait}.
     */
    public CallOptions waitAtMost(final Duration wait) {
        if (wait == null || wait.isNegative() || wait.isZero()) {
            throw new IllegalArgumentException("waitAtMost must be positive, was " + wait);
        }
        return new CallOptions(id, key, deadline, timeout, priority, policy, metadata, cacheKey, wait);
    }

    Optional<String> id() {
        return Optional.ofNullable(id);
    }

    Optional<String> key() {
        return Optional.ofNullable(key);
    }

    Optional<Instant> deadline() {
        return Optional.ofNullable(deadline);
    }

    Optional<Duration> timeout() {
        return Optional.ofNullable(timeout);
    }

    Optional<Priority> priority() {
        return Optional.ofNullable(priority);
    }

    Optional<Object> policy() {
        return Optional.ofNullable(policy);
    }

    Optional<Object> metadata() {
        return Optional.ofNullable(metadata);
    }

    Optional<String> cacheKey() {
        return Optional.ofNullable(cacheKey);
    }

    Optional<Duration> waitAtMost() {
        return Optional.ofNullable(wait);
    }
}
