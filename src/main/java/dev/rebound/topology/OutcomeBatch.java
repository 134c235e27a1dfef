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
 * The value of an outcomes record on {@code agent-circuit-outcomes}: a JSON array of
 * {@link Outcome} objects, written and read field by field with Jackson's streaming API instead of
 * data binding. The bytes are the ones data binding writes ({@code at} as an ISO-8601 instant, a
 * missing {@code category} as {@code null}), so owners of either kind read each other's records;
 * what changed is the cost: data binding (reflection and instant parsing) was a tenth of the stream
 * thread's time per request in the {@code passthrough} profile. The owner replaces {@code at} with
 * its own clock, so reading skips it unparsed.
 */
final class OutcomeBatch {

    private OutcomeBatch() {
    }

    static byte[] encode(final List<Outcome> outcomes) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream(64 + 96 * outcomes.size());
        try (JsonGenerator g = Json.MAPPER.getFactory().createGenerator(out)) {
            g.writeStartArray();
            Instant at = null;
            String atText = null; // a tick's outcomes mostly share their instant: formatted once
            for (final Outcome o : outcomes) {
                g.writeStartObject();
                g.writeStringField("target", o.target());
                if (o.at() == null) {
                    g.writeNullField("at");
                } else {
                    if (!o.at().equals(at)) {
                        at = o.at();
                        atText = at.toString();
                    }
                    g.writeStringField("at", atText);
                }
                g.writeBooleanField("success", o.success());
                if (o.category() == null) {
                    g.writeNullField("category");
                } else {
                    g.writeStringField("category", o.category().name());
                }
                g.writeNumberField("durationMs", o.durationMs());
                g.writeStringField("task", o.task());
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
     * data binding left it; anything else malformed (an unknown category, a string where a number
     * belongs, trailing tokens) throws, and the caller skips the record.
     */
    static List<Outcome> decode(final byte[] value, final Instant at) {
        try (JsonParser p = Json.MAPPER.getFactory().createParser(value)) {
            final List<Outcome> out = new ArrayList<>();
            final JsonToken first = p.nextToken();
            if (first == JsonToken.START_OBJECT) {
                out.add(outcome(p, at));
            } else if (first == JsonToken.START_ARRAY) {
                for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                    if (t == JsonToken.VALUE_NULL) {
                        continue;
                    }
                    if (t != JsonToken.START_OBJECT) {
                        throw new IllegalArgumentException("an outcome must be an object, was " + t);
                    }
                    out.add(outcome(p, at));
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
    private static Outcome outcome(final JsonParser p, final Instant at) throws IOException {
        String target = null;
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
