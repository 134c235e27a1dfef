package dev.rebound.dlq;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rebound.request.Json;
import dev.rebound.request.Source;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Set;
import java.util.function.Function;

/**
 * What {@code rebound dlq replay} does with one dead letter. Pure: decided from the dead letter, the
 * markers of earlier replays and, when needed, the original record read back from the dead letter's
 * {@code source}.
 *
 * <p>The replayed request gets a new id ({@code <id>~r<partition>.<offset>}, deterministic, so a
 * retried replay command produces the same id and the dedup store catches a double send) and a
 * {@code replayOf} link to the old one; its old {@code deadline} is dropped (it has passed) and its
 * attempt history starts afresh, because it is a new request.
 *
 * <p>Where the request comes from. A dead letter repeats its request whole only when the request
 * parsed and its echo fits in {@code RequestEcho.MAX_ECHO_BYTES}; a larger one is echoed as a
 * truncated head, and a {@code PROCESSING_ERROR} as the raw bytes the failing processor saw. For
 * those the request is read back from the {@code source} the dead letter names (usually
 * {@code agent-calls}; a retry tier's record is an in-flight entry that holds the request). A raw
 * echo that is complete still serves when that record is gone; a truncated one never does: a
 * request is replayed whole or not at all.
 */
public final class ReplayPlan {

    /** The outcome for one dead letter. */
    public sealed interface Step {
        String marker();
    }

    /**
     * Replay: produce {@code request} to agent-calls with {@code key}, and the marker.
     *
     * @param from where the request was taken from, completing "request ..." in the command's output
     */
    public record Replay(String marker, String key, String originalId, String newId, JsonNode request, String from) implements Step {
    }

    /** Leave it, as asked: {@code why} says why (it was replayed before). */
    public record Skip(String marker, String originalId, String why) implements Step {
    }

    /** It cannot be replayed: {@code why} says what is missing, for a person to act on. */
    public record Unreplayable(String marker, String originalId, String why) implements Step {
    }

    /** What reading a dead letter's source record back gave. */
    public sealed interface Original {
    }

    /** The record is there: its value, {@code null} for a record without one. */
    public record Found(byte[] value) implements Original {
    }

    /** The record cannot be had: removed by retention, never there, unreadable; {@code why} says which. */
    public record Unavailable(String why) implements Original {
    }

    private ReplayPlan() {
    }

    public static String marker(final int partition, final long offset) {
        return partition + ":" + offset;
    }

    /**
     * @param readBack reads a record back by its source; asked only when the dead letter's echo is
     *                 not the whole parsed request
     */
    public static Step plan(final String key, final int partition, final long offset, final JsonNode deadLetter,
                            final Set<String> alreadyReplayed, final Function<Source, Original> readBack) {
        final String marker = marker(partition, offset);
        final String id = deadLetter.path("id").isTextual() ? deadLetter.path("id").asText() : null;
        if (alreadyReplayed.contains(marker)) {
            return new Skip(marker, id, "already replayed");
        }
        final JsonNode echo = deadLetter.path("request");
        if (isRequest(echo)) {
            return replay(marker, key, id, (ObjectNode) echo, partition, offset, "echoed whole in the dead letter");
        }
        final Source source = source(deadLetter.path("source"));
        if (source == null) {
            return new Unreplayable(marker, id, "its request is not echoed whole (" + echoKind(echo)
                    + ") and the dead letter names no source record to read it back from");
        }
        final String where = source.topic() + "-" + source.partition() + "@" + source.offset();
        final Original original = readBack.apply(source);
        final byte[] bytes;
        final String from;
        if (original instanceof Found found && found.value() != null) {
            bytes = found.value();
            from = "read back from " + where + " (the dead letter's echo: " + echoKind(echo) + ")";
        } else {
            final String gone = original instanceof Unavailable u ? u.why() : "the record there has no value";
            final byte[] complete = completeRawEcho(echo);
            if (complete == null) {
                return new Unreplayable(marker, id, "its request is not echoed whole (" + echoKind(echo) + ") and the original at "
                        + where + " cannot be read back: " + gone);
            }
            bytes = complete;
            from = "taken from the dead letter's complete raw echo (the original at " + where + " cannot be read back: " + gone + ")";
        }
        final JsonNode request = requestIn(bytes);
        if (request == null) {
            return new Unreplayable(marker, id, "the original (" + where + ", " + bytes.length + " bytes) holds no request with an id, "
                    + "a target and a payload object");
        }
        if (id != null && !id.equals(request.path("id").asText())) {
            // the source names another record than the one dead-lettered: replay nothing rather than the wrong request
            return new Unreplayable(marker, id, "the original at " + where + " is request '" + request.path("id").asText()
                    + "', not '" + id + "'");
        }
        final String originalId = id != null ? id : request.path("id").asText();
        return replay(marker, key, originalId, (ObjectNode) request, partition, offset, from);
    }

    private static Step replay(final String marker, final String key, final String id, final ObjectNode request, final int partition,
                               final long offset, final String from) {
        if (id == null) {
            return new Unreplayable(marker, null, "the request has no id to derive a replay id from");
        }
        final String newId = id + "~r" + partition + "." + offset;
        if (newId.length() > 200) {
            return new Unreplayable(marker, id, "the id is too long to derive a replay id from");
        }
        final ObjectNode fresh = request.deepCopy();
        fresh.put("id", newId);
        fresh.put("replayOf", id);
        fresh.remove("deadline");
        return new Replay(marker, key, id, newId, fresh, from);
    }

    private static boolean isRequest(final JsonNode node) {
        return node.isObject() && node.path("id").isTextual() && node.path("target").isTextual() && node.path("payload").isObject();
    }

    /** The request in a record's bytes: the request itself, or the one an in-flight entry (a retry tier's record) holds. */
    private static JsonNode requestIn(final byte[] bytes) {
        final JsonNode root;
        try {
            root = Json.MAPPER.readTree(bytes);
        } catch (final IOException e) {
            return null;
        }
        if (root == null) {
            return null;
        }
        if (isRequest(root)) {
            return root;
        }
        return isRequest(root.path("request")) ? root.path("request") : null;
    }

    /** The bytes a raw echo holds when it holds all of them (text, or base64 not truncated); else {@code null}. */
    private static byte[] completeRawEcho(final JsonNode echo) {
        if (echo.isTextual()) {
            return echo.asText().getBytes(StandardCharsets.UTF_8);
        }
        if (echo.isObject() && !echo.path("truncated").asBoolean(true) && echo.path("base64").isTextual()) {
            try {
                return Base64.getDecoder().decode(echo.path("base64").asText());
            } catch (final IllegalArgumentException e) {
                return null;
            }
        }
        return null;
    }

    private static String echoKind(final JsonNode echo) {
        if (echo.isMissingNode() || echo.isNull()) {
            return "none";
        }
        if (echo.isTextual()) {
            return "the raw text of a record that did not parse";
        }
        if (echo.path("truncated").asBoolean(false)) {
            return "truncated to its first " + echo.path(echo.has("base64") ? "base64" : "text").asText().length() + " characters of "
                    + echo.path("originalBytes").asLong() + " bytes";
        }
        if (echo.has("base64")) {
            return "the base64 of a record that is not UTF-8";
        }
        return "not a request with an id, a target and a payload";
    }

    private static Source source(final JsonNode s) {
        if (!s.path("topic").isTextual() || !s.path("partition").isInt() || !s.path("offset").isIntegralNumber()) {
            return null;
        }
        return new Source(s.path("topic").asText(), s.path("partition").asInt(), s.path("offset").asLong());
    }
}
