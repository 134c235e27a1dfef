package dev.rebound.request;

import dev.rebound.config.Limits;
import dev.rebound.config.ReboundConfig;
import dev.rebound.testkit.Configs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;

class RequestParserTest {

    private static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");
    private final ReboundConfig config = Configs.twoTargets("http://127.0.0.1:1");
    private final RequestParser parser = new RequestParser(config.targets(), config.limits());

    private ParseResult parse(final String json) {
        return parser.parse(json.getBytes(StandardCharsets.UTF_8), NOW);
    }

    @Test
    void shouldAcceptAFullRequest() {
        final ParseResult r = parse("""
                {"id":"req-1","target":"llm","payload":{"model":"m","messages":[]},
                 "deadline":"2026-11-29T12:05:00Z","cacheKey":"k","metadata":{"agent":"planner"}}""");
        assertThat(r).isInstanceOf(ParseResult.Valid.class);
        final AgentRequest req = ((ParseResult.Valid) r).request();
        assertThat(req.id()).isEqualTo("req-1");
        assertThat(req.deadline()).isEqualTo(Instant.parse("2026-11-29T12:05:00Z"));
        assertThat(req.metadata().path("agent").asText()).isEqualTo("planner");
        assertThat(req.effectiveCacheKey()).isEqualTo("k");
    }

    @Test
    void shouldTurnTimeoutMsIntoADeadline() {
        final AgentRequest req = ((ParseResult.Valid) parse("{\"id\":\"a\",\"target\":\"llm\",\"payload\":{},\"timeoutMs\":30000}")).request();
        assertThat(req.deadline()).isEqualTo(NOW.plusSeconds(30));
    }

    @Test
    void shouldDeriveACacheKeyFromTargetAndPayload() {
        final AgentRequest a = ((ParseResult.Valid) parse("{\"id\":\"a\",\"target\":\"llm\",\"payload\":{\"q\":1}}")).request();
        final AgentRequest b = ((ParseResult.Valid) parse("{\"id\":\"b\",\"target\":\"llm\",\"payload\":{\"q\":1}}")).request();
        final AgentRequest c = ((ParseResult.Valid) parse("{\"id\":\"c\",\"target\":\"tools\",\"payload\":{\"q\":1}}")).request();
        assertThat(a.effectiveCacheKey()).isEqualTo(b.effectiveCacheKey()).isNotEqualTo(c.effectiveCacheKey()).startsWith("sha256:");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "truncated JSON     | {\"id\":\"a\",\"target\":\"llm\",\"payload\":{     | INVALID_REQUEST | not valid UTF-8 JSON",
            "not an object      | [1,2,3]                                                | INVALID_REQUEST | must be a JSON object, was an array",
            "bare string        | \"hello\"                                              | INVALID_REQUEST | must be a JSON object, was a string",
            "missing id         | {\"target\":\"llm\",\"payload\":{}}                    | INVALID_REQUEST | 'id' is required",
            "numeric id         | {\"id\":7,\"target\":\"llm\",\"payload\":{}}           | INVALID_REQUEST | 'id' must be a string, was a number",
            "empty id           | {\"id\":\"\",\"target\":\"llm\",\"payload\":{}}        | INVALID_REQUEST | 'id' must be 1..200 characters, was 0",
            "id with newline    | {\"id\":\"a\\r\\nX-Evil: 1\",\"target\":\"llm\",\"payload\":{}} | INVALID_REQUEST | visible ASCII",
            "missing target     | {\"id\":\"a\",\"payload\":{}}                          | INVALID_REQUEST | 'target' is required",
            "target not string  | {\"id\":\"a\",\"target\":[\"llm\"],\"payload\":{}}     | INVALID_REQUEST | 'target' must be a string",
            "unknown target     | {\"id\":\"a\",\"target\":\"gpt-9\",\"payload\":{}}     | UNKNOWN_TARGET  | callable targets are: llm, tools",
            "group target       | {\"id\":\"a\",\"target\":\"provider\",\"payload\":{}}  | UNKNOWN_TARGET  | is a group",
            "missing payload    | {\"id\":\"a\",\"target\":\"llm\"}                      | INVALID_REQUEST | 'payload' is required",
            "payload string     | {\"id\":\"a\",\"target\":\"llm\",\"payload\":\"hi\"}   | INVALID_REQUEST | 'payload' must be a JSON object",
            "sets a url         | {\"id\":\"a\",\"target\":\"llm\",\"url\":\"http://evil\",\"payload\":{}} | INVALID_REQUEST | cannot set 'url'",
            "sets headers       | {\"id\":\"a\",\"target\":\"llm\",\"headers\":{\"Authorization\":\"x\"},\"payload\":{}} | INVALID_REQUEST | cannot set 'headers'",
            "sets Authorization | {\"id\":\"a\",\"target\":\"llm\",\"Authorization\":\"x\",\"payload\":{}} | INVALID_REQUEST | cannot set 'Authorization'",
            "unknown field      | {\"id\":\"a\",\"target\":\"llm\",\"payload\":{},\"dedline\":\"x\"} | INVALID_REQUEST | unknown field 'dedline'",
            "duplicate id key   | {\"id\":\"a\",\"id\":\"b\",\"target\":\"llm\",\"payload\":{}} | INVALID_REQUEST | Duplicate field 'id'",
            "past deadline      | {\"id\":\"a\",\"target\":\"llm\",\"payload\":{},\"deadline\":\"2026-11-29T11:59:59Z\"} | INVALID_REQUEST | has already passed",
            "bad deadline       | {\"id\":\"a\",\"target\":\"llm\",\"payload\":{},\"deadline\":\"tomorrow\"} | INVALID_REQUEST | not an ISO-8601 instant",
            "numeric deadline   | {\"id\":\"a\",\"target\":\"llm\",\"payload\":{},\"deadline\":1764417600} | INVALID_REQUEST | must be an ISO-8601 instant string",
            "absurd deadline    | {\"id\":\"a\",\"target\":\"llm\",\"payload\":{},\"deadline\":\"2099-01-01T00:00:00Z\"} | INVALID_REQUEST | more than 7 days",
            "negative timeout   | {\"id\":\"a\",\"target\":\"llm\",\"payload\":{},\"timeoutMs\":-5} | INVALID_REQUEST | between 1 and",
            "fractional timeout | {\"id\":\"a\",\"target\":\"llm\",\"payload\":{},\"timeoutMs\":1.5} | INVALID_REQUEST | whole number",
            "huge timeout       | {\"id\":\"a\",\"target\":\"llm\",\"payload\":{},\"timeoutMs\":99999999999999999999} | INVALID_REQUEST | whole number",
            "both timings       | {\"id\":\"a\",\"target\":\"llm\",\"payload\":{},\"timeoutMs\":5,\"deadline\":\"2026-11-29T12:05:00Z\"} | INVALID_REQUEST | not both",
            "metadata array     | {\"id\":\"a\",\"target\":\"llm\",\"payload\":{},\"metadata\":[]} | INVALID_REQUEST | 'metadata' must be a JSON object",
            "cacheKey number    | {\"id\":\"a\",\"target\":\"llm\",\"payload\":{},\"cacheKey\":5} | INVALID_REQUEST | 'cacheKey' must be a string",
            "empty document     | '   '                                                  | INVALID_REQUEST | empty"})
    void shouldRejectBadInputWithAnActionableMessage(final String what, final String json, final DeadLetterReason reason,
                                                     final String message) {
        final ParseResult r = parse(json);
        assertThat(r).isInstanceOf(ParseResult.Rejected.class);
        final ParseResult.Rejected rejected = (ParseResult.Rejected) r;
        assertThat(rejected.reason()).isEqualTo(reason);
        assertThat(rejected.message()).contains(message);
        assertThat(rejected.echo()).isNotNull();
    }

    @Test
    void shouldRejectANullValue() {
        final ParseResult.Rejected r = (ParseResult.Rejected) parser.parse(null, NOW);
        assertThat(r.reason()).isEqualTo(DeadLetterReason.INVALID_REQUEST);
        assertThat(r.message()).contains("tombstone");
    }

    @Test
    void shouldRejectAnOversizedRecordUnread() {
        final byte[] big = ("{\"id\":\"a\",\"target\":\"llm\",\"payload\":{\"x\":\"" + "y".repeat(10_000) + "\"}}").getBytes(StandardCharsets.UTF_8);
        final ParseResult.Rejected r = (ParseResult.Rejected) parser.parse(big, NOW);
        assertThat(r.message()).contains("limits.maxRequestBytes");
        assertThat(r.id()).isNull();
    }

    @Test
    void shouldRejectAnOversizedPayloadNamingTheLimit() {
        final ParseResult.Rejected r = (ParseResult.Rejected) parse(
                "{\"id\":\"big\",\"target\":\"llm\",\"payload\":{\"x\":\"" + "y".repeat(3_000) + "\"}}");
        assertThat(r.message()).contains("limits.maxPayloadBytes (2048)");
        assertThat(r.id()).isEqualTo("big");
        assertThat(r.target()).isEqualTo("llm");
    }

    @Test
    void shouldStoreARequestOfEmojiNoLargerThanItCame() {
        // 3 000 emoji: 12 000 bytes read, over a third of the limit and under half, so the parser
        // does not measure the stored form; escaped as surrogate pairs it would be 36 000 bytes
        final var limits = new RequestParser(config.targets(), new Limits(30_000, 30_000, 30_000, 10, Duration.ofMinutes(10)));
        final byte[] record = ("{\"id\":\"e\",\"target\":\"llm\",\"payload\":{\"x\":\"" + "\uD83D\uDE00".repeat(3_000) + "\"}}")
                .getBytes(StandardCharsets.UTF_8);
        assertThat(record.length).isBetween(10_000, 15_000);
        final AgentRequest req = ((ParseResult.Valid) limits.parse(record, NOW)).request();
        assertThat(Json.bytes(req.original()).length).isLessThanOrEqualTo(record.length);
        assertThat(Json.bytes(req.payload()).length).isLessThanOrEqualTo(record.length);
    }

    @Test
    void shouldNeverAcceptAPayloadThatIsOverItsLimitOnceWrittenAgain() {
        // 1e-6 is written 0.000001, twice as long: the most a payload grows when written again
        final var limits = new RequestParser(config.targets(), new Limits(1 << 20, 4_000, 30_000, 10, Duration.ofMinutes(10)));
        for (int n = 300; n <= 500; n += 25) {
            final String payload = "{\"x\":[" + String.join(",", java.util.Collections.nCopies(n, "1e-6")) + "]}";
            final byte[] record = ("{\"id\":\"n\",\"target\":\"llm\",\"payload\":" + payload + "}").getBytes(StandardCharsets.UTF_8);
            final ParseResult r = limits.parse(record, NOW);
            if (r instanceof ParseResult.Valid v) {
                assertThat(Json.bytes(v.request().payload()).length).as("%d numbers, %d bytes read", n, record.length)
                        .isLessThanOrEqualTo(4_000);
            } else {
                assertThat(((ParseResult.Rejected) r).message()).contains("limits.maxPayloadBytes (4000)");
            }
        }
    }

    @Test
    void shouldRejectDeepNestingWithoutAStackOverflow() {
        final String deep = "{\"id\":\"a\",\"target\":\"llm\",\"payload\":" + "[".repeat(5_000) + "]".repeat(5_000) + "}";
        final var big = new RequestParser(config.targets(), new Limits(1 << 20, 1 << 19, 1 << 19, 10, Duration.ofMinutes(10)));
        final ParseResult.Rejected r = (ParseResult.Rejected) big.parse(deep.getBytes(StandardCharsets.UTF_8), NOW);
        assertThat(r.message()).contains("nesting");
    }

    @Test
    void shouldEchoInvalidUtf8AsBase64() {
        final byte[] garbage = {(byte) 0xC3, (byte) 0x28, (byte) 0xFF, 0x00, 0x7B};
        final ParseResult.Rejected r = (ParseResult.Rejected) parser.parse(garbage, NOW);
        assertThat(r.reason()).isEqualTo(DeadLetterReason.INVALID_REQUEST);
        assertThat(r.echo().path("base64").asText()).isEqualTo(Base64.getEncoder().encodeToString(garbage));
    }

    @Test
    void shouldEchoTheTextOfUnparseableUtf8() {
        final ParseResult.Rejected r = (ParseResult.Rejected) parse("{not json");
        assertThat(r.echo().asText()).isEqualTo("{not json");
    }
}
