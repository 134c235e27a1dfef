package dev.rebound.config;

/**
 * Limits that keep one request from hurting the others. Sizes in bytes.
 *
 * @param maxRequestBytes       a record on {@code agent-calls} larger than this is rejected unread (default 1 MiB)
 * @param maxPayloadBytes       the serialized {@code payload} of a request (default 768 KiB)
 * @param maxResponseBytes      a target's response body; larger is a failed attempt (default 768 KiB),
 *                              so that every result fits Kafka's default 1 MiB message size
 * @param maxAttemptsPerRequest calls one request may make in all, its primary's and its fallback
 *                              targets' together (default 10): the one attempt budget per request
 */
public record Limits(int maxRequestBytes, int maxPayloadBytes, int maxResponseBytes, int maxAttemptsPerRequest) {

    public static final Limits DEFAULT = new Limits(1 << 20, 768 << 10, 768 << 10, 10);

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
    }

    private static void positive(final String field, final int value) {
        if (value < 1) {
            throw new ConfigException(field, "must be positive, was " + value);
        }
    }
}
