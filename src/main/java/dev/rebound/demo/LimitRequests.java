package dev.rebound.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rebound.config.Limits;
import dev.rebound.request.Json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Valid requests exactly at Rebound's input limits, for the chaos demo and tests: whatever the
 * door accepts must also be storable, retriable, restorable after a crash, cacheable and
 * replayable (DESIGN §7, "No poison pill"), so these are the requests most likely to find a path
 * that wraps, escapes or nests a request once more than the door allowed for.
 */
public final class LimitRequests {

    /** Four characters that serialize to eleven bytes: a, an escaped quote, an escaped backslash, an escaped U+0001. */
    private static final String ESCAPING_UNIT = "a\"\\" + (char) 1;
    private static final int ESCAPING_UNIT_BYTES = 11;

    private LimitRequests() {
    }

    /**
     * A request whose whole document nests exactly {@link Json#MAX_NESTING} levels (the request
     * object, its payload, then arrays down to the limit): the deepest the parser accepts.
     *
     * @param script the simulator script ({@code {"status":503,"failTimes":1}}), or empty for none
     */
    public static String deepest(final String id, final String target, final long timeoutMs, final String script) {
        final int arrays = Json.MAX_NESTING - 2;
        return "{\"id\":\"" + id + "\",\"target\":\"" + target + "\",\"timeoutMs\":" + timeoutMs + ",\"payload\":{"
                + (script.isEmpty() ? "" : "\"simulate\":" + script + ",") + "\"deep\":" + "[".repeat(arrays) + "]".repeat(arrays) + "}}";
    }

    /**
     * A request whose payload serializes to exactly {@code limits.maxPayloadBytes} (or as close as the
     * request limit leaves room for), padded with a string of quotes, backslashes and control
     * characters: each costs two to six bytes once escaped, so any path that stores the request as
     * text inside another JSON document grows it well past the limit it was accepted under.
     */
    public static String atPayloadLimit(final String id, final String target, final long timeoutMs, final String script,
                                        final Limits limits) {
        final ObjectNode payload = Json.MAPPER.createObjectNode();
        if (!script.isEmpty()) {
            payload.set("simulate", readScript(script));
        }
        payload.put("pad", "");
        final String envelope = "{\"id\":\"" + id + "\",\"target\":\"" + target + "\",\"timeoutMs\":" + timeoutMs + ",\"payload\":";
        final int room = limits.maxRequestBytes() - envelope.length() - 1;
        final int want = Math.min(limits.maxPayloadBytes(), room);
        final int need = want - bytes(payload);
        payload.put("pad", ESCAPING_UNIT.repeat(need / ESCAPING_UNIT_BYTES) + "a".repeat(need % ESCAPING_UNIT_BYTES));
        return envelope + payload + "}";
    }

    /** The serialized size of a payload, as the request parser measures it. */
    static int bytes(final JsonNode payload) {
        return payload.toString().getBytes(StandardCharsets.UTF_8).length;
    }

    private static JsonNode readScript(final String script) {
        try {
            return Json.MAPPER.readTree(script);
        } catch (final IOException e) {
            throw new IllegalArgumentException("not a JSON script: " + script, e);
        }
    }
}
