package dev.rebound.topology;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.rebound.circuit.Outcome;
import dev.rebound.classify.ErrorCategory;
import dev.rebound.request.Json;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The value of an outcomes record on {@code agent-circuit-outcomes}: a JSON array of outcome
 * objects, written and read field by field with Jackson's streaming API instead of data binding.
 * Each object carries what an owner reads of it and nothing at its default: {@code success} only
 * when true, {@code category} only when there is one, always {@code durationMs} and {@code task};
 * never {@code target} (the record's key, which owners use) or {@code at} (owners stamp outcomes
 * with their own clock). An owner of the previous version reads these objects as the same
 * outcomes, since it defaults a missing field as this one does and takes neither field from the
 * value; the bytes per success went from about 110 to 40, and writing and reading them were,
 * with the old fields, 8 % of the stream thread's time in the {@code passthrough} profile.
 */
final class OutcomeBatch {

    private OutcomeBatch() {
    }

    static byte[] encode(final List<Outcome> outcomes) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream(16 + 48 * outcomes.size());
        try (JsonGenerator g = Json.MAPPER.getFactory().createGenerator(out)) {
            g.writeStartArray();
            for (final Outcome o : outcomes) {
                g.writeStartObject();
                if (o.success()) {
                    g.writeBooleanField("success", true);
                }
                if (o.category() != null) {
                    g.writeStringField("category", o.category().name());
                }
                g.writeNumberField("durationMs", o.durationMs());
                if (o.task() != null) {
                    g.writeStringField("task", o.task());
                }
                g.writeEndObject();
            }
            g.writeEndArray();
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot write outcomes", e);
        }
        return out.toByteArray();
    }

    /**
     * The outcomes of one record: an array of outcome objects, or a single one (records from before
     * batching). Unknown fields are skipped; a missing field is {@code null}, {@code false} or 0, as
     * data binding left it, except a missing {@code target}, which is the record's key; anything
     * else malformed (an unknown category, a string where a number belongs, trailing tokens)
     * throws, and the caller skips the record.
     */
    static List<Outcome> decode(final byte[] value, final String key, final Instant at) {
        try (JsonParser p = Json.MAPPER.getFactory().createParser(value)) {
            final List<Outcome> out = new ArrayList<>();
            final JsonToken first = p.nextToken();
            if (first == JsonToken.START_OBJECT) {
                out.add(outcome(p, key, at));
            } else if (first == JsonToken.START_ARRAY) {
                for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                    if (t == JsonToken.VALUE_NULL) {
                        continue;
                    }
                    if (t != JsonToken.START_OBJECT) {
                        throw new IllegalArgumentException("an outcome must be an object, was " + t);
                    }
                    out.add(outcome(p, key, at));
                }
            } else {
                throw new IllegalArgumentException("outcomes must be an array of objects, was " + first);
            }
            if (p.nextToken() != null) {
                throw new IllegalArgumentException("trailing data after the outcomes");
            }
            return out;
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot read outcomes", e);
        }
    }

    /** The outcome whose object the parser has just started, stamped {@code at}; leaves the parser on its end. */
    private static Outcome outcome(final JsonParser p, final String key, final Instant at) throws IOException {
        String target = key;
        boolean success = false;
        ErrorCategory category = null;
        long durationMs = 0;
        String task = null;
        for (String field = p.nextFieldName(); field != null; field = p.nextFieldName()) {
            final JsonToken v = p.nextToken();
            switch (field) {
                case "target" -> target = text(p, v, field);
                case "success" -> success = bool(v, field);
                case "category" -> category = v == JsonToken.VALUE_NULL ? null : ErrorCategory.valueOf(text(p, v, field));
                case "durationMs" -> durationMs = number(p, v, field);
                case "task" -> task = text(p, v, field);
                default -> p.skipChildren(); // "at", and anything a later version adds
            }
        }
        if (p.currentToken() != JsonToken.END_OBJECT) {
            throw new IllegalArgumentException("an outcome object is not closed");
        }
        return new Outcome(target, at, success, category, durationMs, task);
    }

    private static String text(final JsonParser p, final JsonToken v, final String field) throws IOException {
        if (v == JsonToken.VALUE_NULL) {
            return null;
        }
        if (v != JsonToken.VALUE_STRING) {
            throw bad(field, v);
        }
        return p.getText();
    }

    private static boolean bool(final JsonToken v, final String field) {
        if (v == JsonToken.VALUE_TRUE) {
            return true;
        }
        if (v == JsonToken.VALUE_FALSE || v == JsonToken.VALUE_NULL) {
            return false;
        }
        throw bad(field, v);
    }

    private static long number(final JsonParser p, final JsonToken v, final String field) throws IOException {
        if (v == JsonToken.VALUE_NULL) {
            return 0;
        }
        if (v != JsonToken.VALUE_NUMBER_INT) {
            throw bad(field, v);
        }
        return p.getLongValue();
    }

    private static IllegalArgumentException bad(final String field, final JsonToken v) {
        return new IllegalArgumentException("outcome field '" + field + "' cannot be " + v);
    }
}
