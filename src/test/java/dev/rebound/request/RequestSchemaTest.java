package dev.rebound.request;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.networknt.schema.Schema;
import dev.rebound.config.ReboundConfig;
import dev.rebound.testkit.Configs;
import dev.rebound.testkit.HostileCorpus;
import dev.rebound.testkit.Schemas;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code schemas/request.schema.json} says what {@link RequestParser} accepts: every request the
 * parser takes validates, and every record it rejects is rejected by the schema too, except the
 * rejections no JSON Schema can express, listed below with the reason.
 */
class RequestSchemaTest {

    /** Inside every deadline window below: deadlines are checked against this instant. */
    private static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");
    private final ReboundConfig config = Configs.twoTargets("http://127.0.0.1:1");
    private final RequestParser parser = new RequestParser(config.targets(), config.limits());
    private final Schema schema = Schemas.load(Schemas.REQUEST);

    /**
     * Records the parser rejects and the schema cannot: each with why. The test fails if the schema
     * starts rejecting one (then it is no exception and leaves this list) or accepts another.
     */
    private static final Map<String, String> SCHEMA_CANNOT_SAY = Map.of(
            "unknown-target.json", "which targets exist is configuration (UNKNOWN_TARGET), not the message's shape",
            "group-target.json", "that a name is a group, not a callable target, is configuration (UNKNOWN_TARGET)",
            "deadline-past.json", "'in the future' depends on the time the record is read",
            "deadline-absurd.json", "'at most 7 days away' depends on the time the record is read",
            "duplicate-id.json", "a JSON Schema sees the parsed object, where a repeated key has already collapsed into one",
            "payload-over-limit.json", "limits.maxPayloadBytes is a size in bytes of the compact JSON, configurable");

    /** Records that are no JSON document at all: a schema validates documents, so it has nothing to say. */
    private static final List<String> NOT_JSON = List.of("truncated.json", "not-json.txt", "trailing-garbage.json", "empty.json",
            "whitespace.json", "nul-bytes.bin", "invalid-utf8.bin", "binary-garbage.bin");

    /** A standard JSON reader that keeps the last of repeated keys, as most readers in other languages do. */
    private static final JsonMapper READER = JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();

    static List<String> validRequests() {
        return List.of(
                "{\"id\":\"a\",\"target\":\"llm\",\"payload\":{}}",
                "{\"id\":\"" + "x".repeat(200) + "\",\"target\":\"llm\",\"payload\":{\"model\":\"m\",\"messages\":[{\"role\":\"user\"}]}}",
                "{\"id\":\"!~{}[]\\\"\\\\<>\",\"target\":\"tools\",\"payload\":{}}",
                "{\"id\":\"b\",\"target\":\"llm\",\"payload\":{},\"timeoutMs\":1}",
                "{\"id\":\"b\",\"target\":\"llm\",\"payload\":{},\"timeoutMs\":604800000}",
                "{\"id\":\"c\",\"target\":\"llm\",\"payload\":{},\"deadline\":\"2026-11-29T21:00:00Z\"}",
                "{\"id\":\"c\",\"target\":\"llm\",\"payload\":{},\"deadline\":\"2026-11-30T01:00:00.123456789+02:00\"}",
                "{\"id\":\"c\",\"target\":\"llm\",\"payload\":{},\"deadline\":\"2026-11-29T21:00Z\"}",
                "{\"id\":\"c\",\"target\":\"llm\",\"payload\":{},\"deadline\":\"2026-11-29t21:00:00z\"}",
                "{\"id\":\"c\",\"target\":\"llm\",\"payload\":{},\"deadline\":\"2026-11-29T21:00:00+01\"}",
                "{\"id\":\"c\",\"target\":\"llm\",\"payload\":{},\"deadline\":\"2026-11-29T21:00:00.Z\"}",
                "{\"id\":\"c\",\"target\":\"llm\",\"payload\":{},\"deadline\":\"2026-11-29T21:00:00-00:00:30\"}",
                "{\"id\":\"d\",\"target\":\"llm\",\"payload\":{},\"deadline\":null,\"timeoutMs\":5000}",
                "{\"id\":\"d\",\"target\":\"llm\",\"payload\":{},\"deadline\":\"2026-11-30T00:00:00Z\",\"timeoutMs\":null}",
                "{\"id\":\"e\",\"target\":\"llm\",\"payload\":{},\"cacheKey\":\"q\"}",
                "{\"id\":\"e\",\"target\":\"llm\",\"payload\":{},\"cacheKey\":\"" + "k".repeat(512) + "\"}",
                "{\"id\":\"f\",\"target\":\"llm\",\"payload\":{},\"metadata\":{\"agent\":\"planner\",\"n\":[1,2]}}",
                "{\"id\":\"f\",\"target\":\"llm\",\"payload\":{},\"metadata\":{}}",
                "{\"id\":\"g\",\"target\":\"llm\",\"payload\":{},\"replayOf\":\"\"}",
                "{\"id\":\"g\",\"target\":\"llm\",\"payload\":{},\"replayOf\":\"" + "r".repeat(200) + "\"}",
                "{\"id\":\"h\",\"target\":\"llm\",\"payload\":{},\"priority\":\"high\"}",
                "{\"id\":\"h\",\"target\":\"llm\",\"payload\":{},\"priority\":\"low\"}",
                "{\"id\":\"i\",\"target\":\"llm\",\"payload\":{},\"policy\":{}}",
                "{\"id\":\"i\",\"target\":\"llm\",\"payload\":{},\"policy\":{\"tokens\":1}}",
                "{\"id\":\"i\",\"target\":\"llm\",\"payload\":{},\"policy\":{\"tokens\":100000000}}",
                "{\"id\":\"i\",\"target\":\"llm\",\"payload\":{},\"policy\":{\"tokens\":null}}",
                "{\"id\":\"i\",\"target\":\"llm\",\"payload\":{},\"policy\":{\"maxAttempts\":1,\"timeoutMs\":1,\"fallback\":false}}",
                "{\"id\":\"i\",\"target\":\"llm\",\"payload\":{},\"policy\":{\"maxAttempts\":3,\"timeoutMs\":2000,\"fallback\":true}}",
                "{\"id\":\"i\",\"target\":\"llm\",\"payload\":{},\"policy\":{\"maxAttempts\":null,\"timeoutMs\":null,\"fallback\":null}}",
                "{\"id\":\"j\",\"target\":\"llm\",\"payload\":{},\"cacheKey\":null,\"metadata\":null,\"replayOf\":null,\"priority\":null,"
                        + "\"policy\":null,\"deadline\":null,\"timeoutMs\":null}",
                "{\"id\":\"k\",\"target\":\"llm\",\"payload\":{\"q\":\"all\"},\"timeoutMs\":30000,\"cacheKey\":\"q:all\","
                        + "\"metadata\":{\"agent\":\"planner\"},\"replayOf\":\"k-0\",\"priority\":\"normal\",\"policy\":{\"tokens\":1200}}");
    }

    static List<String> invalidRequests() {
        return List.of(
                "{\"id\":\"a b\",\"target\":\"llm\",\"payload\":{}}",
                "{\"id\":\"" + "x".repeat(201) + "\",\"target\":\"llm\",\"payload\":{}}",
                "{\"id\":\"a\",\"target\":null,\"payload\":{}}",
                "{\"id\":\"a\",\"target\":\"llm\",\"payload\":{},\"timeoutMs\":0}",
                "{\"id\":\"a\",\"target\":\"llm\",\"payload\":{},\"timeoutMs\":604800001}",
                "{\"id\":\"a\",\"target\":\"llm\",\"payload\":{},\"timeoutMs\":2.5}",
                "{\"id\":\"a\",\"target\":\"llm\",\"payload\":{},\"timeoutMs\":true}",
                "{\"id\":\"a\",\"target\":\"llm\",\"payload\":{},\"timeoutMs\":1000,\"deadline\":\"2026-11-29T21:00:00Z\"}",
                "{\"id\":\"a\",\"target\":\"llm\",\"payload\":{},\"deadline\":\"2026-11-29\"}",
                "{\"id\":\"a\",\"target\":\"llm\",\"payload\":{},\"deadline\":\"2026-11-29 21:00:00Z\"}",
                "{\"id\":\"a\",\"target\":\"llm\",\"payload\":{},\"deadline\":\"2026-11-29T21:00:00\"}",
                "{\"id\":\"a\",\"target\":\"llm\",\"payload\":{},\"deadline\":\"2026-11-29T21:00:00+0100\"}",
                "{\"id\":\"a\",\"target\":\"llm\",\"payload\":{},\"deadline\":\"2026-11-29T21:00:00.1234567891Z\"}",
                "{\"id\":\"a\",\"target\":\"llm\",\"payload\":{},\"deadline\":1796000000000}",
                "{\"id\":\"a\",\"target\":\"llm\",\"payload\":{},\"cacheKey\":\"\"}",
                "{\"id\":\"a\",\"target\":\"llm\",\"payload\":{},\"cacheKey\":\"" + "k".repeat(513) + "\"}",
                "{\"id\":\"a\",\"target\":\"llm\",\"payload\":{},\"cacheKey\":7}",
                "{\"id\":\"a\",\"target\":\"llm\",\"payload\":{},\"metadata\":\"planner\"}",
                "{\"id\":\"a\",\"target\":\"llm\",\"payload\":{},\"replayOf\":\"" + "r".repeat(201) + "\"}",
                "{\"id\":\"a\",\"target\":\"llm\",\"payload\":{},\"replayOf\":{}}",
                "{\"id\":\"a\",\"target\":\"llm\",\"payload\":{},\"priority\":\"urgent\"}",
                "{\"id\":\"a\",\"target\":\"llm\",\"payload\":{},\"priority\":\"HIGH\"}",
                "{\"id\":\"a\",\"target\":\"llm\",\"payload\":{},\"priority\":1}",
                "{\"id\":\"a\",\"target\":\"llm\",\"payload\":{},\"policy\":[]}",
                "{\"id\":\"a\",\"target\":\"llm\",\"payload\":{},\"policy\":{\"retries\":2}}",
                "{\"id\":\"a\",\"target\":\"llm\",\"payload\":{},\"policy\":{\"maxAttempts\":0}}",
                "{\"id\":\"a\",\"target\":\"llm\",\"payload\":{},\"policy\":{\"maxAttempts\":\"2\"}}",
                "{\"id\":\"a\",\"target\":\"llm\",\"payload\":{},\"policy\":{\"timeoutMs\":0}}",
                "{\"id\":\"a\",\"target\":\"llm\",\"payload\":{},\"policy\":{\"timeoutMs\":\"5s\"}}",
                "{\"id\":\"a\",\"target\":\"llm\",\"payload\":{},\"policy\":{\"fallback\":[]}}",
                "{\"id\":\"a\",\"target\":\"llm\",\"payload\":{},\"policy\":{\"fallback\":\"static\"}}",
                "{\"id\":\"a\",\"target\":\"llm\",\"payload\":{},\"policy\":{\"fallback\":[0]}}",
                "{\"id\":\"a\",\"target\":\"llm\",\"payload\":{},\"policy\":{\"fallback\":[true]}}",
                "{\"id\":\"a\",\"target\":\"llm\",\"payload\":{},\"policy\":{\"fallback\":{}}}",
                "{\"id\":\"a\",\"target\":\"llm\",\"payload\":{},\"policy\":{\"tokens\":0}}",
                "{\"id\":\"a\",\"target\":\"llm\",\"payload\":{},\"policy\":{\"tokens\":100000001}}",
                "{\"id\":\"a\",\"target\":\"llm\",\"payload\":{},\"policy\":{\"tokens\":\"1200\"}}",
                // a replyTo the configuration does not allow is configuration, not schema (like an unknown target): these are shapes
                "{\"id\":\"a\",\"target\":\"llm\",\"payload\":{},\"replyTo\":7}",
                "{\"id\":\"a\",\"target\":\"llm\",\"payload\":{},\"replyTo\":\"agent/results\"}",
                "{\"id\":\"a\",\"target\":\"llm\",\"payload\":{},\"URL\":\"http://evil\"}",
                "{\"id\":\"a\",\"target\":\"llm\",\"payload\":{},\"api_key\":\"k\"}",
                "{\"id\":\"a\",\"target\":\"llm\",\"payload\":{},\"Token\":\"t\"}",
                "{\"id\":\"a\",\"target\":\"llm\",\"payload\":{},\"method\":\"DELETE\"}",
                "{\"id\":\"a\",\"target\":\"llm\",\"payload\":{},\"Deadline\":\"2026-11-29T21:00:00Z\"}");
    }

    @ParameterizedTest
    @MethodSource("validRequests")
    void shouldValidateEveryRequestTheParserAccepts(final String request) {
        assertThat(parser.parse(bytes(request), NOW)).isInstanceOf(ParseResult.Valid.class);
        assertThat(Schemas.errors(schema, read(request))).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("invalidRequests")
    void shouldRejectWhatTheParserRejects(final String request) {
        assertThat(parser.parse(bytes(request), NOW)).isInstanceOf(ParseResult.Rejected.class);
        assertThat(Schemas.errors(schema, read(request))).as("the schema rejects it too").isNotEmpty();
    }

    static List<HostileCorpus.Case> corpus() {
        return HostileCorpus.cases();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void shouldAgreeWithTheParserOnTheHostileCorpusSaveTheListedExceptions(final HostileCorpus.Case c) {
        final boolean parserAccepts = parser.parse(c.value(), NOW) instanceof ParseResult.Valid;
        final JsonNode json = readOrNull(c.value());
        if (json == null) {
            assertThat(NOT_JSON).as("%s is no JSON document", c.name()).contains(c.name());
            assertThat(parserAccepts).isFalse();
            return;
        }
        assertThat(NOT_JSON).as("%s reads as JSON", c.name()).doesNotContain(c.name());
        final boolean schemaAccepts = Schemas.errors(schema, json).isEmpty();
        if (SCHEMA_CANNOT_SAY.containsKey(c.name())) {
            assertThat(parserAccepts).as("%s is rejected by the parser", c.name()).isFalse();
            assertThat(schemaAccepts).as("%s is an exception: %s", c.name(), SCHEMA_CANNOT_SAY.get(c.name())).isTrue();
        } else {
            assertThat(schemaAccepts).as("%s: the schema agrees with the parser", c.name()).isEqualTo(parserAccepts);
        }
    }

    @Test
    void shouldListOnlyExceptionsThatAreInTheCorpus() {
        final List<String> names = corpus().stream().map(HostileCorpus.Case::name).toList();
        assertThat(names).containsAll(SCHEMA_CANNOT_SAY.keySet()).containsAll(NOT_JSON);
    }

    @Test
    void shouldAcceptWhatOnlyItsSizeMakesTooLargeOrTooDeep() {
        // limits in bytes and nesting depth are not JSON Schema's to say (the schema's description says them)
        final String big = "{\"id\":\"big\",\"target\":\"llm\",\"payload\":{\"q\":\"" + "z".repeat(20_000) + "\"},\"metadata\":{\"m\":\""
                + "m".repeat(17_000) + "\"}}";
        final String deep = "{\"id\":\"deep\",\"target\":\"llm\",\"payload\":{\"a\":" + "[".repeat(300) + "]".repeat(300) + "}}";
        for (final String r : List.of(big, deep)) {
            assertThat(parser.parse(bytes(r), NOW)).isInstanceOf(ParseResult.Rejected.class);
            assertThat(Schemas.errors(schema, read(r))).isEmpty();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"timeoutMs\":1.0", "policy\":{\"tokens\":1200.0}", "policy\":{\"maxAttempts\":1.0}", "policy\":{\"timeoutMs\":1.0}"})
    void shouldAcceptAWholeNumberWrittenWithAFractionWhichOnlyTheParserRefuses(final String field) {
        // JSON Schema's data model has one number type: 1.0 is an integer there, a double to Jackson
        final String r = "{\"id\":\"a\",\"target\":\"llm\",\"payload\":{},\"" + field + "}";
        assertThat(parser.parse(bytes(r), NOW)).isInstanceOf(ParseResult.Rejected.class);
        assertThat(Schemas.errors(schema, read(r))).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"maxAttempts\":4}", "{\"timeoutMs\":2001}", "{\"fallback\":[1]}", "{\"fallback\":[\"static\"]}"})
    void shouldAcceptAPolicyWiderThanItsTargetWhichOnlyTheParserRefuses(final String policy) {
        // the bounds are the named target's configuration (llm: 3 attempts, 2 s, no fallback chain), not the message's shape
        final String r = "{\"id\":\"a\",\"target\":\"llm\",\"payload\":{},\"policy\":" + policy + "}";
        assertThat(parser.parse(bytes(r), NOW)).isInstanceOf(ParseResult.Rejected.class);
        assertThat(Schemas.errors(schema, read(r))).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"2026-13-01T00:00:00Z", "2026-11-31T00:00:00Z", "2026-11-29T25:00:00Z", "2026-11-29T21:00:00+19:00"})
    void shouldAcceptADeadlineOfTheRightShapeButNoRealInstantWhichOnlyTheParserRefuses(final String deadline) {
        // the shape is a pattern; calendar arithmetic (days of a month, offsets up to 18 h) is not a schema's
        final String r = "{\"id\":\"a\",\"target\":\"llm\",\"payload\":{},\"deadline\":\"" + deadline + "\"}";
        assertThat(parser.parse(bytes(r), NOW)).isInstanceOf(ParseResult.Rejected.class);
        assertThat(Schemas.errors(schema, read(r))).isEmpty();
    }

    @Test
    void shouldCountLengthsInCodePointsWhereTheParserCountsUtf16Units() {
        // 300 characters outside the Basic Multilingual Plane: 300 code points (schema), 600 UTF-16 units (parser)
        final String r = "{\"id\":\"a\",\"target\":\"llm\",\"payload\":{},\"cacheKey\":\"" + "\uD83D\uDE00".repeat(300) + "\"}";
        assertThat(parser.parse(bytes(r), NOW)).isInstanceOf(ParseResult.Rejected.class);
        assertThat(Schemas.errors(schema, read(r))).isEmpty();
    }

    private static byte[] bytes(final String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static JsonNode read(final String s) {
        final JsonNode n = readOrNull(bytes(s));
        assertThat(n).as("test input is JSON: %s", s).isNotNull();
        return n;
    }

    private static JsonNode readOrNull(final byte[] value) {
        try {
            final JsonNode n = READER.readTree(value);
            return n == null || n.isMissingNode() ? null : n;
        } catch (final IOException notJson) {
            return null;
        }
    }
}
