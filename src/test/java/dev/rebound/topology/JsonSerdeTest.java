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
}
