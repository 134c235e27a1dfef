package dev.rebound.request;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.fasterxml.jackson.module.blackbird.BlackbirdModule;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The JSON mappers for Rebound's wire formats: ISO-8601 instants, strict duplicate-key detection
 * (so {@code {"id":"a","id":"b"}} cannot smuggle a second id past validation), and nesting limits
 * well below the stack depth.
 *
 * <p>Two limits, on purpose: {@link #DOOR} reads what comes from outside (requests, target answers)
 * and holds it to {@link #MAX_NESTING}; {@link #MAPPER} reads what Rebound wrote itself, where that
 * input sits a few levels deeper (the request inside an in-flight entry, a dead letter's echo, a
 * response inside a result or a cache entry), and allows {@link #INTERNAL_HEADROOM} more. A request
 * accepted at the door is therefore always readable again from every store, topic and replay.
 */
public final class Json {

    /** Deeper documents are rejected at the door; no agent request legitimately nests this far. */
    public static final int MAX_NESTING = 200;
    /** Levels Rebound's own records may add around a document accepted at the door. */
    public static final int INTERNAL_HEADROOM = 16;

    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .addModule(new Jdk8Module())
            .addModule(new BlackbirdModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            // "{...} {...}" is not one request: a second document must not ride along unread
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            // 1e400 is a valid JSON number but Infinity as a double, which would be written back as
            // the invalid token Infinity: an accepted request that could never be read again
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            // a character outside the Basic Multilingual Plane (an emoji) is written as its 4 UTF-8
            // bytes, not escaped as a surrogate pair (12 bytes): otherwise a request of emoji grows
            // threefold when stored, past the size checks made on what was read
            .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8)
            .build();

    /** For input from outside: requests and the bodies targets answer with. */
    public static final ObjectMapper DOOR = MAPPER.copy();

    static {
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(MAX_NESTING + INTERNAL_HEADROOM).build());
        DOOR.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING).build());
    }

    private Json() {
    }

    public static byte[] bytes(final Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (final JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize " + value.getClass().getSimpleName(), e);
        }
    }

    public static String text(final Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (final JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize " + value.getClass().getSimpleName(), e);
        }
    }

    public static <T> T read(final byte[] bytes, final Class<T> type) {
        try {
            return MAPPER.readValue(bytes, type);
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot read " + type.getSimpleName(), e);
        }
    }
}
