package dev.rebound.lifecycle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.util.Iterator;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Masks secrets in the text values of a JSON tree that came from outside (a request's echo, its
 * metadata). Value by value, never over a serialized record: a record's own fields, its id among
 * them, are not text from outside and are never rewritten. The tree is copied only where a value
 * changes, so the common case (no secret present) costs a walk and no allocation.
 */
final class Masking {

    private Masking() {
    }

    static JsonNode mask(final JsonNode node, final UnaryOperator<String> mask) {
        if (node.isTextual()) {
            final String text = node.asText();
            final String masked = mask.apply(text);
            return masked.equals(text) ? node : TextNode.valueOf(masked);
        }
        if (node.isObject()) {
            ObjectNode copy = null;
            final Iterator<Map.Entry<String, JsonNode>> it = node.fields();
            while (it.hasNext()) {
                final Map.Entry<String, JsonNode> e = it.next();
                final JsonNode m = mask(e.getValue(), mask);
                if (m != e.getValue()) {
                    if (copy == null) {
                        copy = ((ObjectNode) node).deepCopy();
                    }
                    copy.set(e.getKey(), m);
                }
            }
            return copy == null ? node : copy;
        }
        if (node.isArray()) {
            ArrayNode copy = null;
            for (int i = 0; i < node.size(); i++) {
                final JsonNode m = mask(node.get(i), mask);
                if (m != node.get(i)) {
                    if (copy == null) {
                        copy = ((ArrayNode) node).deepCopy();
                    }
                    copy.set(i, m);
                }
            }
            return copy == null ? node : copy;
        }
        return node;
    }
}
