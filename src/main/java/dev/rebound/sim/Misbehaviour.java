package dev.rebound.sim;

/**
 * Answers of the simulated endpoint that break the protocol instead of reporting an error: what a
 * real provider, proxy or network does on a bad day and what no status code describes. Each is a
 * per-call share of a {@link SimScenario} and can be scripted by a request
 * ({@code {"simulate": {"stallBody": true}}}, with the {@link #scriptName()} as the field).
 */
public enum Misbehaviour {
    /** 200 headers with a length (or chunked), a few bytes of body, then nothing until the client gives up. */
    STALL_BODY("stallBody"),
    /** The request is read and then never answered, not even with headers, until the client gives up. */
    HEADERS_NEVER("headersNever"),
    /** 200 with a valid JSON body larger than the scenario's {@code oversizedBytes} (default 2 MiB). */
    OVERSIZED("oversized"),
    /**
     * 200 with a body small on the wire (about 180 KiB, under Rebound's response limit) made of
     * control characters, which JSON-escape six-fold: written into a record as text it is just over
     * Kafka's default 1 MiB record size.
     */
    OVERSIZED_ESCAPED("oversizedEscaped"),
    /** 200 with a body that is not JSON (an HTML challenge page, as proxies serve). */
    INVALID_JSON("invalidJson"),
    /** 200 headers, part of the body, then the connection closed with the body unfinished. */
    RESET_MID_BODY("resetMidBody");

    private final String scriptName;

    Misbehaviour(final String scriptName) {
        this.scriptName = scriptName;
    }

    /** The field of a request's {@code simulate} script that asks for it, and its name in shares and stats. */
    public String scriptName() {
        return scriptName;
    }
}
