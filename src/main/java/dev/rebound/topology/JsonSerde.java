package dev.rebound.topology;

import dev.rebound.request.Json;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

import java.io.IOException;

/** A JSON serde for Rebound's own state (store values); requests from agents are parsed elsewhere. */
final class JsonSerde {

    private JsonSerde() {
    }

    static <T> Serde<T> of(final Class<T> type) {
        final Serializer<T> ser = (topic, value) -> value == null ? null : Json.bytes(value);
        final Deserializer<T> de = (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            try {
                return Json.MAPPER.readValue(bytes, type);
            } catch (final IOException e) {
                throw new SerializationException("cannot read " + type.getSimpleName() + " from store", e);
            }
        };
        return Serdes.serdeFrom(ser, de);
    }
}
