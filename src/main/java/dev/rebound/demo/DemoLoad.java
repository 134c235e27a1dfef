package dev.rebound.demo;

import dev.rebound.config.Limits;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The demo's request mix: mostly good requests (their fate is the simulator scenario's), and one
 * in twenty a bad one, cycling through the kinds of bad input Rebound must dead-letter without a
 * call. Every request has its own record key, so its terminal record can be matched by key even
 * when the request had no usable id. The load is a pure function of the run id and the index, so
 * the demo can rebuild any item to check its terminal record.
 *
 * <p>The chaos load replaces some good requests with the hard ones of issue #12: ids containing a
 * configured header's value ({@link #HEADER_VALUE}), requests whose failure message quotes the
 * secret header back, requests without a deadline, and one request each at the nesting and the
 * payload size limits.
 */
public final class DemoLoad {

    public static final String TARGET = "sim-chat";
    /** The value of the demo target's non-secret {@code anthropic-version} header. */
    public static final String HEADER_VALUE = "2023-06-01";
    private static final int BAD_EVERY = 20;
    private static final int NESTING_AT = 5;
    private static final int SIZE_AT = 9;
    private static final long TIMEOUT_MS = 20_000;

    /** What a request is for; every kind but {@link #BAD} is valid and must be answered. */
    public enum Kind {
        /** A usual request, its fate the simulator's. */
        USUAL,
        /** Deliberately invalid: must be dead-lettered without a call. */
        BAD,
        /** Its id contains {@link #HEADER_VALUE}; its fate is the simulator's. */
        HEADER_VALUE_ID,
        /** Its id contains {@link #HEADER_VALUE}, and it asks the simulator to echo that header into its (successful) answer. */
        HEADER_VALUE_ECHO,
        /** The simulator fails every attempt with a message that quotes the request's {@code Authorization} header. */
        SECRET_ECHO,
        /** No {@code deadline} and no {@code timeoutMs}. */
        NO_DEADLINE,
        /** The whole document nests exactly as deep as the parser allows. */
        NESTING_LIMIT,
        /** The payload is exactly {@code limits.maxPayloadBytes}. */
        SIZE_LIMIT
    }

    /** One record to produce: its key, the id it carries, its value bytes, and what it is for. */
    public record Item(String key, String id, byte[] value, Kind kind) {
        /** Whether Rebound should reject it. */
        public boolean invalid() {
            return kind == Kind.BAD;
        }
    }

    private static final List<String> BAD = List.of(
            "{\"id\": \"%s\", \"target\": \"sim-chat\", \"payload\": {\"messages\": [",        // truncated JSON
            "{\"target\": \"sim-chat\", \"payload\": {}}",                                     // missing id
            "{\"id\": \"%s\", \"target\": \"no-such-target\", \"payload\": {}}",               // unknown target
            "{\"id\": \"%s\", \"target\": \"sim-chat\", \"payload\": {}, \"deadline\": \"2001-01-01T00:00:00Z\"}",
            "{\"id\": \"%s\", \"target\": \"sim-chat\", \"payload\": \"not an object\"}",
            "{\"id\": \"%s\", \"target\": \"sim-chat\", \"url\": \"http://169.254.169.254/\", \"payload\": {}}");

    private final String runId;
    private final boolean chaos;
    private final Limits limits;

    /** The usual mix. */
    public DemoLoad(final String runId) {
        this(runId, false, Limits.DEFAULT);
    }

    /** With {@code chaos}, the hard requests too; {@code limits} are the processor's, for the request at the size limit. */
    public DemoLoad(final String runId, final boolean chaos, final Limits limits) {
        this.runId = runId;
        this.chaos = chaos;
        this.limits = limits;
    }

    public Item item(final int i) {
        final String key = "agent-" + i;
        final String id = runId + "-" + i;
        if (i % BAD_EVERY == BAD_EVERY - 1) {
            final String template = BAD.get((i / BAD_EVERY) % BAD.size());
            return new Item(key, id, template.replace("%s", id).getBytes(StandardCharsets.UTF_8), Kind.BAD);
        }
        if (chaos) {
            if (i == NESTING_AT) {
                return item(key, id, Kind.NESTING_LIMIT, LimitRequests.deepest(id, TARGET, TIMEOUT_MS, "{\"status\":503,\"failTimes\":1}"));
            }
            if (i == SIZE_AT) {
                return item(key, id, Kind.SIZE_LIMIT,
                        LimitRequests.atPayloadLimit(id, TARGET, TIMEOUT_MS, "{\"status\":503,\"failTimes\":1}", limits));
            }
            switch (i % BAD_EVERY) {
                case 3 -> {
                    final String hv = runId + "-" + HEADER_VALUE + "-" + i;
                    return (i / BAD_EVERY) % 2 == 0
                            ? item(key, hv, Kind.HEADER_VALUE_ECHO, usual(hv, i, "{\"echo\":[\"anthropic-version\"]}", true))
                            : item(key, hv, Kind.HEADER_VALUE_ID, usual(hv, i, "", true));
                }
                case 7 -> {
                    return item(key, id, Kind.NO_DEADLINE, usual(id, i, "", false));
                }
                case 11 -> {
                    return item(key, id, Kind.SECRET_ECHO, usual(id, i, "{\"status\":503,\"echo\":[\"Authorization\"]}", true));
                }
                default -> {
                    // a usual request
                }
            }
        }
        return item(key, id, Kind.USUAL, usual(id, i, "", true));
    }

    private static Item item(final String key, final String id, final Kind kind, final String json) {
        return new Item(key, id, json.getBytes(StandardCharsets.UTF_8), kind);
    }

    private static String usual(final String id, final int i, final String script, final boolean timeout) {
        return "{\"id\":\"" + id + "\",\"target\":\"" + TARGET + "\"," + (timeout ? "\"timeoutMs\":" + TIMEOUT_MS + "," : "")
                + "\"payload\":{\"model\":\"sim-1\",\"messages\":[{\"role\":\"user\",\"content\":\"question " + i + "\"}]"
                + (script.isEmpty() ? "" : ",\"simulate\":" + script) + "},"
                + "\"metadata\":{\"agent\":\"demo\",\"n\":" + i + "}}";
    }
}
