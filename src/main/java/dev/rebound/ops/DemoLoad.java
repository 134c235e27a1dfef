package dev.rebound.ops;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The demo's request mix: mostly good requests (their fate is the simulator scenario's), and one
 * in twenty a bad one, cycling through the kinds of bad input Rebound must dead-letter without a
 * call. Every request has its own record key, so its terminal record can be matched by key even
 * when the request had no usable id.
 */
public final class DemoLoad {

    public static final String TARGET = "sim-chat";
    private static final int BAD_EVERY = 20;

    /** One record to produce: its key and value bytes, and whether Rebound should reject it. */
    public record Item(String key, byte[] value, boolean invalid) {
    }

    private static final List<String> BAD = List.of(
            "{\"id\": \"%s\", \"target\": \"sim-chat\", \"payload\": {\"messages\": [",        // truncated JSON
            "{\"target\": \"sim-chat\", \"payload\": {}}",                                     // missing id
            "{\"id\": \"%s\", \"target\": \"no-such-target\", \"payload\": {}}",               // unknown target
            "{\"id\": \"%s\", \"target\": \"sim-chat\", \"payload\": {}, \"deadline\": \"2001-01-01T00:00:00Z\"}",
            "{\"id\": \"%s\", \"target\": \"sim-chat\", \"payload\": \"not an object\"}",
            "{\"id\": \"%s\", \"target\": \"sim-chat\", \"url\": \"http://169.254.169.254/\", \"payload\": {}}");

    private final String runId;

    public DemoLoad(final String runId) {
        this.runId = runId;
    }

    public Item item(final int i) {
        final String key = "agent-" + i;
        final String id = runId + "-" + i;
        if (i % BAD_EVERY == BAD_EVERY - 1) {
            final String template = BAD.get((i / BAD_EVERY) % BAD.size());
            return new Item(key, template.replace("%s", id).getBytes(StandardCharsets.UTF_8), true);
        }
        final String json = "{\"id\":\"" + id + "\",\"target\":\"" + TARGET + "\",\"timeoutMs\":20000,"
                + "\"payload\":{\"model\":\"sim-1\",\"messages\":[{\"role\":\"user\",\"content\":\"question " + i + "\"}]},"
                + "\"metadata\":{\"agent\":\"demo\",\"n\":" + i + "}}";
        return new Item(key, json.getBytes(StandardCharsets.UTF_8), false);
    }
}
