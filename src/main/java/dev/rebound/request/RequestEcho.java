package dev.rebound.request;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * How a request is repeated inside a dead letter. A dead letter must always fit in one Kafka
 * record, so anything larger than {@link #MAX_ECHO_BYTES} is cut to a head, marked as truncated,
 * and the dead letter's {@code source} (topic, partition, offset) points at the full original.
 */
public final class RequestEcho {

    public static final int MAX_ECHO_BYTES = 64 * 1024;

    private RequestEcho() {
    }

    /** For a record that did not parse: its text if it is UTF-8, else base64. */
    public static JsonNode ofRaw(final byte[] raw) {
        final byte[] head = raw.length > MAX_ECHO_BYTES ? Arrays.copyOf(raw, MAX_ECHO_BYTES) : raw;
        final boolean truncated = head.length < raw.length;
        try {
            final String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(head)).toString();
            return truncated ? truncated(raw.length, "text", text) : JsonNodeFactory.instance.textNode(text);
        } catch (final CharacterCodingException notUtf8) {
            // a cut through a multi-byte character lands here too; base64 loses nothing either way
            final String b64 = Base64.getEncoder().encodeToString(head);
            final ObjectNode node = truncated(raw.length, "base64", b64);
            node.put("truncated", truncated);
            return node;
        }
    }

    /** For a parsed request: the request itself when small enough, else its truncated text. */
    public static JsonNode ofParsed(final JsonNode request, final int serializedBytes) {
        if (serializedBytes <= MAX_ECHO_BYTES) {
            return request;
        }
        final String text = request.toString();
        int cut = Math.min(text.length(), MAX_ECHO_BYTES);
        if (cut > 0 && cut < text.length() && Character.isHighSurrogate(text.charAt(cut - 1))) {
            cut--; // never split a surrogate pair: the half would not survive UTF-8
        }
        return truncated(serializedBytes, "text", text.substring(0, cut));
    }

    private static ObjectNode truncated(final int size, final String field, final String value) {
        final ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("truncated", true);
        node.put("originalBytes", size);
        node.put(field, value);
        return node;
    }
}
