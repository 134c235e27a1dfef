package dev.rebound.topology;

import dev.rebound.request.Json;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class JsonSerdeTest {

    record Stamped(String id, Instant at) {
    }

    @Test
    void shouldWriteInstantsAsMillisAndStillReadIsoText() {
        final var serde = JsonSerde.of(Stamped.class);
        final Stamped s = new Stamped("a", Instant.parse("2026-11-30T12:00:00.123Z"));
        final byte[] bytes = serde.serializer().serialize("t", s);
        assertThat(new String(bytes, StandardCharsets.UTF_8)).isEqualTo("{\"id\":\"a\",\"at\":1796040000123}");
        assertThat(serde.deserializer().deserialize("t", bytes)).isEqualTo(s);
        assertThat(serde.deserializer().deserialize("t", Json.bytes(s))).as("a store written with ISO text").isEqualTo(s);
    }

    @Test
    void shouldDecodeAGlobalValueOncePerChangeAndNeverServeAStaleOne() {
        final var serde = JsonSerde.memoized(Stamped.class);
        final byte[] first = serde.serializer().serialize("t", new Stamped("a", Instant.EPOCH));
        final Stamped read = serde.deserializer().deserialize("t", first);
        assertThat(serde.deserializer().deserialize("t", first.clone())).as("equal bytes, another array").isSameAs(read);
        final byte[] changed = serde.serializer().serialize("t", new Stamped("b", Instant.EPOCH));
        assertThat(serde.deserializer().deserialize("t", changed)).isEqualTo(new Stamped("b", Instant.EPOCH));
        first[7] = 'z'; // a caller that reuses the array it was given does not change what is remembered
        assertThat(serde.deserializer().deserialize("t", serde.serializer().serialize("t", new Stamped("a", Instant.EPOCH))))
                .isSameAs(read);
        assertThat(serde.deserializer().deserialize("t", null)).isNull();
    }

    @Test
    void shouldForgetEverythingOnceTheMemoIsFullAndStillReadCorrectly() {
        final var serde = JsonSerde.memoized(Stamped.class);
        final Stamped first = serde.deserializer().deserialize("t", serde.serializer().serialize("t", new Stamped("0", Instant.EPOCH)));
        for (int i = 1; i <= JsonSerde.MEMO; i++) {
            serde.deserializer().deserialize("t", serde.serializer().serialize("t", new Stamped(String.valueOf(i), Instant.EPOCH)));
        }
        final Stamped again = serde.deserializer().deserialize("t", serde.serializer().serialize("t", new Stamped("0", Instant.EPOCH)));
        assertThat(again).isEqualTo(first).isNotSameAs(first);
    }

    @Test
    void shouldForgetEverythingOnceTheMemoHoldsTooManyBytes() {
        final var serde = JsonSerde.memoized(Stamped.class);
        final String big = "x".repeat(1 << 20);
        final Stamped first = serde.deserializer().deserialize("t", serde.serializer().serialize("t", new Stamped(big, Instant.EPOCH)));
        for (int i = 1; i <= JsonSerde.MEMO_BYTES >> 20; i++) {
            serde.deserializer().deserialize("t", serde.serializer().serialize("t", new Stamped(big + i, Instant.EPOCH)));
        }
        final Stamped again = serde.deserializer().deserialize("t", serde.serializer().serialize("t", new Stamped(big, Instant.EPOCH)));
        assertThat(again).isEqualTo(first).isNotSameAs(first);
    }
}
