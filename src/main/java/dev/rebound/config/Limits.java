package dev.rebound.config;

import dev.rebound.time.Durations;

import java.time.Duration;
import java.util.Objects;

/**
 * Limits that keep one request from hurting the others, and that make "accepted at the door" mean
 * "can be stored, retried, restored and replayed": whatever passes them fits every record Rebound
 * writes about the request (in-flight entry, delay-tier record, terminal record, cache entry).
 * Sizes in bytes.
 *
 * @param maxRequestBytes       a request larger than this, as read or as Rebound stores it, is
 *                              rejected (default 896 KiB: the stored form plus its attempt history
 *                              must fit one Kafka record, see {@link #recordBytesNeeded})
 * @param maxPayloadBytes       the serialized {@code payload} of a request (default 768 KiB)
 * @param maxResponseBytes      a target's response body; larger is a failed attempt
 *                              ({@code RESPONSE_TOO_LARGE}, default 768 KiB); the body is read no
 *                              further than this
 * @param maxAttemptsPerRequest calls one request may make in all, its primary's and its fallback
 *                              targets' together (default 10): the one attempt budget per request
 * @param defaultTimeout        the time a request without {@code deadline} or {@code timeoutMs}
 *                              gets (default 10 min): nothing waits for ever
 */
public record Limits(int maxRequestBytes, int maxPayloadBytes, int maxResponseBytes, int maxAttemptsPerRequest,
                     Duration defaultTimeout) {

    /** The most one recorded attempt (message clipped, masked, JSON-escaped) or one fallback step adds to a stored entry. */
    public static final int BYTES_PER_ATTEMPT = 8 * 1024;
    /** What an in-flight entry or a terminal record adds around the request or response: fields, metadata, last error. */
    public static final int ENVELOPE_BYTES = 32 * 1024;
    /** Kafka's default {@code max.request.size}. */
    public static final int KAFKA_DEFAULT_MAX_REQUEST_SIZE = 1 << 20;

    public static final Limits DEFAULT = new Limits(896 << 10, 768 << 10, 768 << 10, 10, Duration.ofMinutes(10));

    public Limits {
        positive("limits.maxRequestBytes", maxRequestBytes);
        positive("limits.maxPayloadBytes", maxPayloadBytes);
        positive("limits.maxResponseBytes", maxResponseBytes);
        if (maxAttemptsPerRequest < 1 || maxAttemptsPerRequest > 100) {
            throw new ConfigException("limits.maxAttemptsPerRequest", "must be between 1 and 100, was " + maxAttemptsPerRequest);
        }
        if (maxPayloadBytes > maxRequestBytes) {
            throw new ConfigException("limits.maxPayloadBytes",
                    "must not exceed limits.maxRequestBytes (" + maxRequestBytes + "), was " + maxPayloadBytes);
        }
        Objects.requireNonNull(defaultTimeout, "defaultTimeout");
        if (defaultTimeout.isNegative() || defaultTimeout.isZero() || defaultTimeout.compareTo(Duration.ofDays(7)) > 0) {
            throw new ConfigException("limits.defaultTimeout", "must be between 1ms and 7d, was " + Durations.format(defaultTimeout));
        }
    }

    /**
     * The largest record these limits can make Rebound write: a stored request with a full attempt
     * history, or a result carrying the largest response. Must fit the producer's
     * {@code max.request.size}, which {@link #checkFits} enforces at start-up.
     */
    public int recordBytesNeeded() {
        return Math.max(maxRequestBytes, maxResponseBytes) + ENVELOPE_BYTES + maxAttemptsPerRequest * BYTES_PER_ATTEMPT;
    }

    /**
     * Fails start-up, naming the fields, when a record these limits allow would be refused by the
     * producer: the request would be accepted and then never stored (a poison pill).
     *
     * @param maxRequestSize the producer's {@code max.request.size}
     */
    public void checkFits(final int maxRequestSize) {
        if (recordBytesNeeded() > maxRequestSize) {
            throw new ConfigException("limits", "max(limits.maxRequestBytes, limits.maxResponseBytes) + "
                    + (ENVELOPE_BYTES >> 10) + " KiB + limits.maxAttemptsPerRequest x " + (BYTES_PER_ATTEMPT >> 10) + " KiB = "
                    + recordBytesNeeded() + " bytes, over the producer's max.request.size (" + maxRequestSize
                    + "); lower the limits or raise kafka.max.request.size (and the topics' max.message.bytes)");
        }
    }

    private static void positive(final String field, final int value) {
        if (value < 1) {
            throw new ConfigException(field, "must be positive, was " + value);
        }
    }
}
