package dev.rebound.topology;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The last good response per target and cache key, for the {@code cache} fallback step. Kept in a
 * state store of the executor task (so per partition: requests with the same record key share it),
 * with a time index that bounds the entries per target, the oldest leaving first. An entry older
 * than the step's TTL is never served. Time is passed in, so tests drive it.
 */
final class ResponseCache {

    /**
     * One stored response.
     *
     * @param storedAt when the target answered
     */
    record Cached(JsonNode response, Integer httpStatus, Instant storedAt) {
    }

    private final KeyValueStore<String, Cached> entries;
    private final KeyValueStore<Bytes, byte[]> index;
    private final Map<String, Integer> counts = new HashMap<>();

    /** Counts the entries restored from the changelog; one pass over the index at task start. */
    ResponseCache(final KeyValueStore<String, Cached> entries, final KeyValueStore<Bytes, byte[]> index) {
        this.entries = entries;
        this.index = index;
        try (KeyValueIterator<Bytes, byte[]> it = index.all()) {
            while (it.hasNext()) {
                counts.merge(targetOf(it.next().key), 1, Integer::sum);
            }
        }
    }

    /** Remembers {@code response} as the last good one, evicting the target's oldest beyond {@code maxEntries}. */
    void put(final String target, final String cacheKey, final JsonNode response, final Integer httpStatus, final Instant now,
             final int maxEntries) {
        final String key = key(target, cacheKey);
        final Cached before = entries.get(key);
        if (before != null) {
            index.delete(indexKey(target, before.storedAt(), cacheKey));
        } else {
            counts.merge(target, 1, Integer::sum);
        }
        entries.put(key, new Cached(response, httpStatus, now));
        index.put(indexKey(target, now, cacheKey), new byte[0]);
        int excess = counts.getOrDefault(target, 0) - maxEntries;
        if (excess <= 0) {
            return;
        }
        try (KeyValueIterator<Bytes, byte[]> oldest = index.range(prefix(target, 0), prefix(target, Long.MAX_VALUE))) {
            while (excess > 0 && oldest.hasNext()) {
                final KeyValue<Bytes, byte[]> kv = oldest.next();
                index.delete(kv.key);
                entries.delete(key(target, cacheKeyOf(kv.key, target)));
                counts.merge(target, -1, Integer::sum);
                excess--;
            }
        }
    }

    /** The stored response if it is younger than {@code ttl}; an expired one is removed. */
    Optional<Cached> get(final String target, final String cacheKey, final Instant now, final Duration ttl) {
        final String key = key(target, cacheKey);
        final Cached c = entries.get(key);
        if (c == null) {
            return Optional.empty();
        }
        if (!now.isBefore(c.storedAt().plus(ttl))) {
            entries.delete(key);
            index.delete(indexKey(target, c.storedAt(), cacheKey));
            counts.merge(target, -1, Integer::sum);
            return Optional.empty();
        }
        return Optional.of(c);
    }

    /** How many responses are stored for {@code target} in this task. */
    int size(final String target) {
        return counts.getOrDefault(target, 0);
    }

    private static String key(final String target, final String cacheKey) {
        return target + '\u0000' + cacheKey;
    }

    /** Target name, a zero byte, the store time as 8 big-endian bytes, the cache key: byte order is age order per target. */
    private static Bytes indexKey(final String target, final Instant at, final String cacheKey) {
        final byte[] t = target.getBytes(StandardCharsets.UTF_8);
        final byte[] k = cacheKey.getBytes(StandardCharsets.UTF_8);
        return Bytes.wrap(ByteBuffer.allocate(t.length + 9 + k.length).put(t).put((byte) 0).putLong(Math.max(0, at.toEpochMilli()))
                .put(k).array());
    }

    private static Bytes prefix(final String target, final long at) {
        final byte[] t = target.getBytes(StandardCharsets.UTF_8);
        return Bytes.wrap(ByteBuffer.allocate(t.length + 9).put(t).put((byte) 0).putLong(at).array());
    }

    private static String targetOf(final Bytes indexKey) {
        final byte[] k = indexKey.get();
        int zero = 0;
        while (k[zero] != 0) {
            zero++;
        }
        return new String(k, 0, zero, StandardCharsets.UTF_8);
    }

    private static String cacheKeyOf(final Bytes indexKey, final String target) {
        final byte[] k = indexKey.get();
        final int from = target.getBytes(StandardCharsets.UTF_8).length + 9;
        return new String(k, from, k.length - from, StandardCharsets.UTF_8);
    }
}
