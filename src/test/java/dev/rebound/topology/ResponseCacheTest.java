package dev.rebound.topology;

import com.fasterxml.jackson.databind.node.TextNode;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class ResponseCacheTest {

    private static final Instant T0 = Instant.parse("2026-11-30T10:00:00Z");
    private static final Duration TTL = Duration.ofMinutes(10);

    private KeyValueStore<String, ResponseCache.Cached> entries;
    private KeyValueStore<Bytes, byte[]> index;

    @BeforeEach
    void stores() {
        final MockProcessorContext<Object, Object> context = new MockProcessorContext<>();
        entries = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("cache"), Serdes.String(), JsonSerde.of(ResponseCache.Cached.class))
                .withLoggingDisabled().build();
        index = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("index"), Serdes.Bytes(), Serdes.ByteArray())
                .withLoggingDisabled().build();
        entries.init(context.getStateStoreContext(), entries);
        index.init(context.getStateStoreContext(), index);
    }

    @Test
    void shouldServeTheLastGoodResponseUntilItsTtlEnds() {
        final ResponseCache cache = new ResponseCache(entries, index);
        cache.put("chat", "k", TextNode.valueOf("first"), 200, T0, 10);
        cache.put("chat", "k", TextNode.valueOf("second"), 201, T0.plusSeconds(60), 10);
        assertThat(cache.size("chat")).as("a newer response replaces the older").isEqualTo(1);
        assertThat(cache.get("chat", "k", T0.plusSeconds(60).plus(TTL).minusMillis(1), TTL))
                .hasValueSatisfying(c -> {
                    assertThat(c.response().asText()).isEqualTo("second");
                    assertThat(c.httpStatus()).isEqualTo(201);
                });
        assertThat(cache.get("chat", "k", T0.plusSeconds(60).plus(TTL), TTL)).as("expired at the TTL").isEmpty();
        assertThat(cache.size("chat")).as("an expired entry is removed").isZero();
        assertThat(cache.get("chat", "other", T0, TTL)).isEmpty();
    }

    @Test
    void shouldKeepCacheKeysOfTargetsApart() {
        final ResponseCache cache = new ResponseCache(entries, index);
        cache.put("a", "k", TextNode.valueOf("from a"), 200, T0, 10);
        assertThat(cache.get("b", "k", T0, TTL)).isEmpty();
        assertThat(cache.get("a", "k", T0, TTL)).isPresent();
    }

    @Test
    void shouldEvictTheOldestBeyondTheBoundOfItsTarget() {
        final ResponseCache cache = new ResponseCache(entries, index);
        for (int i = 0; i < 5; i++) {
            cache.put("chat", "k" + i, TextNode.valueOf("r" + i), 200, T0.plusSeconds(i), 3);
        }
        cache.put("other", "k0", TextNode.valueOf("o"), 200, T0, 3);
        assertThat(cache.size("chat")).isEqualTo(3);
        assertThat(cache.get("chat", "k0", T0.plusSeconds(5), TTL)).isEmpty();
        assertThat(cache.get("chat", "k1", T0.plusSeconds(5), TTL)).isEmpty();
        assertThat(cache.get("chat", "k4", T0.plusSeconds(5), TTL)).isPresent();
        assertThat(cache.get("other", "k0", T0.plusSeconds(5), TTL)).as("another target's entries are not evicted").isPresent();
        // a refreshed entry becomes the youngest: the next eviction takes k3, not k2's replacement
        cache.put("chat", "k2", TextNode.valueOf("r2b"), 200, T0.plusSeconds(6), 3);
        cache.put("chat", "k5", TextNode.valueOf("r5"), 200, T0.plusSeconds(7), 3);
        assertThat(cache.get("chat", "k3", T0.plusSeconds(7), TTL)).isEmpty();
        assertThat(cache.get("chat", "k2", T0.plusSeconds(7), TTL)).hasValueSatisfying(c -> assertThat(c.response().asText()).isEqualTo("r2b"));
    }

    @Test
    void shouldCountWhatWasRestored() {
        final ResponseCache before = new ResponseCache(entries, index);
        before.put("chat", "a", TextNode.valueOf("1"), 200, T0, 2);
        before.put("chat", "b", TextNode.valueOf("2"), 200, T0.plusSeconds(1), 2);
        final ResponseCache after = new ResponseCache(entries, index);
        assertThat(after.size("chat")).isEqualTo(2);
        after.put("chat", "c", TextNode.valueOf("3"), 200, T0.plusSeconds(2), 2);
        assertThat(after.size("chat")).isEqualTo(2);
        assertThat(after.get("chat", "a", T0.plusSeconds(2), TTL)).isEmpty();
    }
}
