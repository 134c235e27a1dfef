package dev.rebound.topology;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.POJONode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.networknt.schema.Schema;
import dev.rebound.classify.Failure;
import dev.rebound.lifecycle.CallOutcome;
import dev.rebound.request.AgentResult;
import dev.rebound.request.EffectivePolicy;
import dev.rebound.request.Json;
import dev.rebound.testkit.ControlledExecutor;
import dev.rebound.testkit.HostileCorpus;
import dev.rebound.testkit.Schemas;
import dev.rebound.testkit.Ttd;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every record the real topology writes to {@code agent-results} and {@code agent-dead-letters}
 * validates against {@code schemas/result.schema.json} and {@code schemas/dead-letter.schema.json}:
 * each outcome, each way of serving a fallback, and each dead-letter reason a test can reach, with
 * metadata and without. Records are checked as bytes off the output topics, every one of them
 * (those a test does not look at too, when it ends).
 */
class TerminalSchemasFlowTest {

    private static final String YAML = """
            kafka: { application.id: schema-test }
            limits: { maxAttemptsPerRequest: 6 }
            targets:
              provider: { kind: group }
              llm: { parent: provider, url: http://127.0.0.1:1/llm }
              plain:
                url: http://127.0.0.1:1/plain
                retry: { maxAttempts: 2, initialDelay: 1s, jitter: none, adaptive: { enabled: false } }
                budget: { ratio: 1.0, minRetriesPerSecond: 5 }
                circuit: { enabled: false }
              stingy:
                url: http://127.0.0.1:1/stingy
                budget: { ratio: 0.0, minRetriesPerSecond: 0 }
              fragile:
                url: http://127.0.0.1:1/fragile
                retry: { maxAttempts: 1 }
                circuit: { consecutiveFailures: 2, minCalls: 100, openFor: 10s, probes: 1 }
              primary:
                url: http://127.0.0.1:1/primary
                retry: { maxAttempts: 2, initialDelay: 1s, jitter: none, adaptive: { enabled: false } }
                budget: { ratio: 1.0, minRetriesPerSecond: 5 }
                circuit: { enabled: false }
                fallback:
                  - { on: [SERVER_ERROR, RETRIES_EXHAUSTED, DISABLED], target: secondary }
                  - { cache: { ttl: 1m } }
                  - { static: { content: "busy, try later" } }
              quiet:
                url: http://127.0.0.1:1/quiet
                fallback:
                  - { on: [DISABLED], static: { content: "maintenance" } }
              nostatic:
                url: http://127.0.0.1:1/nostatic
                retry: { maxAttempts: 1 }
                fallback:
                  - { target: secondary }
                  - { cache: true }
              secondary:
                url: http://127.0.0.1:1/secondary
                retry: { maxAttempts: 1 }
            """;

    /** A producer limit small enough that a cached answer can fill a result: max record 200000 - 8192 bytes. */
    private static final String SMALL_RECORDS = """
            kafka: { application.id: schema-small, max.request.size: 200000 }
            limits: { maxRequestBytes: 65536, maxPayloadBytes: 32768, maxResponseBytes: 65536, maxAttemptsPerRequest: 4 }
            targets:
              cached:
                url: http://127.0.0.1:1/cached
                retry: { maxAttempts: 1 }
                circuit: { enabled: false }
                fallback:
                  - { cache: { ttl: 1m } }
            """;

    private static final String DOWN = "{\"error\":{\"message\":\"upstream unavailable\"}}";
    private static final String NO_MODEL = "{\"error\":{\"message\":\"no such model\"}}";
    /** What kind of record, how many validated: the figures this class reports at the end. */
    private static final Map<String, Integer> VALIDATED = new ConcurrentHashMap<>();

    @TempDir
    Path stateDir;

    private final Schema resultSchema = Schemas.load(Schemas.RESULT);
    private final Schema deadLetterSchema = Schemas.load(Schemas.DEAD_LETTER);
    private final Map<String, ControlledExecutor> executors = new ConcurrentHashMap<>();
    private Ttd ttd;

    private Ttd start(final String yaml) {
        ttd = new Ttd(yaml, t -> executor(t.name()), stateDir, 3);
        return ttd;
    }

    private ControlledExecutor executor(final String target) {
        return executors.computeIfAbsent(target, t -> new ControlledExecutor());
    }

    @AfterEach
    void stop() {
        if (ttd != null) {
            terminals(); // what no assertion looked at is validated too
            ttd.close();
        }
    }

    @AfterAll
    static void report() {
        System.out.println("records validated against the schemas, by kind: " + new TreeMap<>(VALIDATED));
    }

    private void send(final String id, final String target, final String extra) {
        ttd.send("k-" + id, "{\"id\":\"" + id + "\",\"target\":\"" + target + "\",\"payload\":{\"q\":\"" + id + "\"}" + extra + "}");
    }

    private static final String METADATA = ",\"metadata\":{\"agent\":\"planner\",\"run\":7}";

    /** Results and dead letters written since the last call, each validated against its schema. */
    private record Written(List<JsonNode> results, List<JsonNode> deadLetters) {
        List<String> reasons() {
            return deadLetters.stream().map(d -> d.path("reason").asText()).toList();
        }
    }

    private Written terminals() {
        return new Written(validated(ttd.results, resultSchema, true), validated(ttd.deadLetters, deadLetterSchema, false));
    }

    private static List<JsonNode> validated(final TestOutputTopic<String, byte[]> topic, final Schema schema, final boolean result) {
        final List<JsonNode> out = new ArrayList<>();
        for (final TestRecord<String, byte[]> r : topic.readRecordsToList()) {
            final JsonNode n = Ttd.json(r.value());
            final String text = n.toString();
            assertThat(Schemas.errors(schema, n)).as("%s", text.length() > 600 ? text.substring(0, 600) + "..." : text).isEmpty();
            VALIDATED.merge(kind(n, result), 1, Integer::sum);
            VALIDATED.merge(n.path("metadata").isObject() ? "(with metadata)" : "(without metadata)", 1, Integer::sum);
            out.add(n);
        }
        return out;
    }

    private static String kind(final JsonNode n, final boolean result) {
        if (result) {
            final String servedBy = n.path("servedBy").asText();
            final String by = servedBy.equals("cache") || servedBy.equals("static") ? servedBy
                    : servedBy.equals(n.path("target").asText()) ? "its target" : "another target";
            return "result " + n.path("outcome").asText() + " by " + by;
        }
        return "dead letter " + n.path("reason").asText() + (n.path("category").isNull() ? "" : " " + n.path("category").asText());
    }

    @Test
    void shouldWriteResultsTheSchemaAcceptsOnSuccess() {
        start(YAML);
        final ControlledExecutor plain = executor("plain");
        send("ok-meta", "plain", METADATA);
        send("ok-text", "plain", "");
        send("ok-retried", "plain", ",\"priority\":\"high\",\"cacheKey\":\"c\"");
        plain.succeed(0, "{\"choices\":[{\"message\":{\"content\":\"hi\"}}],\"usage\":{\"total_tokens\":12}}");
        plain.call(1).future().complete(new CallOutcome.Success(200, TextNode.valueOf("not JSON"), Instant.now(), 4));
        plain.fail(2, 503, DOWN);
        ttd.tick(10);
        ttd.tick(1_100);
        plain.succeed(3, "{\"late\":true}");
        ttd.tick(10);
        send("ok-meta", "plain", METADATA); // answered again from the dedup store

        final Written w = terminals();
        assertThat(w.results()).extracting(r -> r.path("outcome").asText()).containsOnly(AgentResult.SUCCEEDED).hasSize(4);
        assertThat(w.results()).anySatisfy(r -> assertThat(r.path("lastError").path("httpStatus").asInt()).isEqualTo(503));
        assertThat(w.results()).anySatisfy(r -> assertThat(r.path("response").isTextual()).isTrue());
        assertThat(w.deadLetters()).isEmpty();
    }

    @Test
    void shouldWriteFallbackResultsTheSchemaAcceptsForEveryKindOfStep() {
        start(YAML);
        final ControlledExecutor primary = executor("primary");
        final ControlledExecutor secondary = executor("secondary");
        send("fb-target", "primary", METADATA);
        primary.fail(0, 503, DOWN);
        ttd.tick(10);
        ttd.tick(1_100);
        primary.fail(1, 503, DOWN);
        ttd.tick(10);
        secondary.succeed(0, "{\"from\":\"secondary\"}");
        ttd.tick(10);

        send("fb-warm", "primary", ",\"cacheKey\":\"weather\"");
        primary.succeed(2, "{\"sunny\":true}");
        ttd.tick(10);
        send("fb-cache", "primary", ",\"cacheKey\":\"weather\"" + METADATA);
        send("fb-static", "primary", ",\"cacheKey\":\"traffic\"");
        primary.fail(3, 404, NO_MODEL); // NOT_FOUND: not on the secondary's list; the cache, then the static value
        primary.fail(4, 404, NO_MODEL);
        ttd.tick(10);

        ttd.control("quiet", "{\"disabled\":true,\"reason\":\"maintenance window\"}");
        send("fb-disabled", "quiet", "");
        ttd.tick(10);

        final Written w = terminals();
        assertThat(w.results()).extracting(r -> r.path("id").asText() + "/" + r.path("outcome").asText() + "/" + r.path("servedBy").asText())
                .containsExactlyInAnyOrder("fb-target/FALLBACK/secondary", "fb-warm/SUCCEEDED/primary", "fb-cache/FALLBACK/cache",
                        "fb-static/FALLBACK/static", "fb-disabled/FALLBACK/static");
        assertThat(w.results()).filteredOn(r -> r.path("id").asText().equals("fb-disabled"))
                .singleElement().satisfies(r -> assertThat(r.path("attempts").asInt()).isZero());
        assertThat(w.deadLetters()).isEmpty();
    }

    @Test
    void shouldWriteDeadLettersTheSchemaAcceptsWhenCallsFail() {
        start(YAML);
        final ControlledExecutor plain = executor("plain");
        send("dl-auth", "plain", METADATA);
        plain.fail(0, 401, "{\"error\":{\"message\":\"Incorrect API key\",\"code\":\"invalid_api_key\"}}");
        send("dl-exhausted", "plain", "");
        plain.fail(1, 429, "{\"error\":{\"message\":\"Rate limit reached. Please try again in 2s.\",\"code\":\"rate_limit_exceeded\"}}");
        send("dl-deadline", "plain", ",\"timeoutMs\":800");
        plain.fail(2, 503, DOWN);
        ttd.tick(10);
        ttd.tick(2_100);
        plain.fail(3, 503, DOWN);
        ttd.tick(10);

        send("dl-budget", "stingy", METADATA);
        executor("stingy").breakConnection(0, Failure.TransportKind.TIMEOUT);
        ttd.tick(10);

        send("dl-chain", "nostatic", "");
        executor("nostatic").fail(0, 503, DOWN);
        ttd.tick(10);
        executor("secondary").fail(0, 503, DOWN);
        ttd.tick(10);

        final Written w = terminals();
        assertThat(w.reasons()).containsExactlyInAnyOrder("NON_RETRYABLE", "DEADLINE_EXCEEDED", "RETRIES_EXHAUSTED",
                "RETRY_BUDGET_EXHAUSTED", "FALLBACK_FAILED");
        assertThat(w.deadLetters()).filteredOn(d -> d.path("reason").asText().equals("RETRIES_EXHAUSTED")).singleElement()
                .satisfies(d -> assertThat(d.path("attempts").get(0).path("retryAfterMs").asLong()).isEqualTo(2_000));
        assertThat(w.deadLetters()).filteredOn(d -> d.has("fallback")).singleElement()
                .satisfies(d -> assertThat(d.path("fallback")).hasSize(2));
        assertThat(w.results()).isEmpty();
    }

    @Test
    void shouldWriteDeadLettersTheSchemaAcceptsWhenNoCallIsAdmitted() {
        start(YAML);
        final ControlledExecutor fragile = executor("fragile");
        for (int i = 0; i < 2; i++) {
            send("trip-" + i, "fragile", "");
            fragile.fail(i, 503, DOWN);
            ttd.tick(10);
        }
        ttd.tick(300); // the owner publishes OPEN; the global store has it
        send("dl-open", "fragile", ",\"timeoutMs\":1000" + METADATA);
        ttd.control("plain", "{\"disabled\":true,\"reason\":\"provider incident\"}");
        send("dl-disabled", "plain", ",\"timeoutMs\":1500");
        ttd.tick(1_100);
        ttd.tick(1_100);

        final Written w = terminals();
        assertThat(w.reasons()).containsExactlyInAnyOrder("RETRIES_EXHAUSTED", "RETRIES_EXHAUSTED", "CIRCUIT_OPEN", "DEADLINE_EXCEEDED");
        assertThat(w.deadLetters()).filteredOn(d -> d.path("id").asText().equals("dl-disabled")).singleElement()
                .satisfies(d -> assertThat(d.path("category").isNull()).isTrue());
        assertThat(fragile.calls()).hasSize(2);
    }

    @Test
    void shouldWriteDeadLettersTheSchemaAcceptsForEveryRecordRejectedAtTheDoor() {
        start(YAML);
        final List<HostileCorpus.Case> corpus = HostileCorpus.cases();
        for (final HostileCorpus.Case c : corpus) {
            ttd.calls.pipeInput(c.name(), c.value());
        }
        ttd.calls.pipeInput("tombstone", (byte[]) null);
        ttd.send("huge", "{\"id\":\"huge\",\"target\":\"llm\",\"payload\":{\"q\":\"" + "z".repeat(1 << 20) + "\"}}");
        ttd.send("long-echo", "{\"id\":\"long-echo\",\"target\":\"llm\",\"deadline\":\"2001-01-01T00:00:00Z\",\"payload\":{\"q\":\""
                + "z".repeat(100_000) + "\"}" + METADATA + "}");
        ttd.send("unknown-meta", "{\"id\":\"unknown-meta\",\"target\":\"gpt-17\",\"payload\":{}" + METADATA + "}");

        final Written w = terminals();
        final int sent = corpus.size() + 4;
        assertThat(w.deadLetters().size() + executor("llm").calls().size()).as("each record: a dead letter or a call").isEqualTo(sent);
        // under this configuration one corpus record is a request: a 3 KB payload (the default limit is 768 KiB)
        assertThat(executor("llm").calls()).extracting(c -> c.spec().requestId()).containsExactlyInAnyOrder("h42");
        assertThat(w.reasons()).containsOnly("INVALID_REQUEST", "UNKNOWN_TARGET").contains("INVALID_REQUEST", "UNKNOWN_TARGET");
        assertThat(w.deadLetters()).as("echo cut to a head").anySatisfy(d -> assertThat(d.path("request").path("truncated").asBoolean()).isTrue());
        assertThat(w.deadLetters()).as("not UTF-8: base64").anySatisfy(d -> assertThat(d.path("request").has("base64")).isTrue());
        assertThat(w.deadLetters()).as("a tombstone").anySatisfy(d -> assertThat(d.path("request").isNull()).isTrue());
    }

    @Test
    void shouldWriteRecordsTheSchemaAcceptsForAnswersTooLargeAndBugs() {
        start(YAML);
        final String huge = "{\"text\":\"" + "\\u0001".repeat(200_000) + "\"}"; // 1.2 MB once escaped in a result
        send("big-plain", "plain", METADATA);
        send("big-primary", "primary", "");
        send("boom", "plain", "");
        executor("plain").succeed(0, huge);
        executor("primary").succeed(0, huge);
        executor("plain").call(1).future().complete(new CallOutcome.Success(200, new POJONode(new Object() {
            @SuppressWarnings("unused")
            public String getText() {
                throw new IllegalStateException("a bug that only this request meets");
            }
        }), Instant.now(), 1));
        ttd.tick(10);
        ttd.tick(10);

        final Written w = terminals();
        assertThat(w.reasons()).containsExactlyInAnyOrder("NON_RETRYABLE", "PROCESSING_ERROR");
        assertThat(w.deadLetters()).anySatisfy(d -> assertThat(d.path("category").asText()).isEqualTo("RESPONSE_TOO_LARGE"));
        assertThat(w.results()).singleElement().satisfies(r -> {
            assertThat(r.path("servedBy").asText()).isEqualTo("static");
            assertThat(r.path("lastError").path("category").asText()).isEqualTo("RESPONSE_TOO_LARGE");
        });
    }

    @Test
    void shouldWriteATrimmedDeadLetterTheSchemaAcceptsWhenACachedResultWouldNotFitOneRecord() {
        start(SMALL_RECORDS);
        final ControlledExecutor cached = executor("cached");
        final int maxRecord = 200_000 - TerminalWriter.RECORD_OVERHEAD;
        // a success just under the record limit, so the same answer from the cache, with its lastError, is over it
        final int envelope = Json.bytes(new AgentResult("fill", "cached", AgentResult.SUCCEEDED, "cached", false,
                Json.MAPPER.createObjectNode().put("text", ""), 200, 1, null, 10, null,
                new EffectivePolicy(1, List.of("cache"), 30_000, null))).length;
        send("fill", "cached", ",\"cacheKey\":\"k\"");
        cached.succeed(0, "{\"text\":\"" + "a".repeat(maxRecord - envelope - 20) + "\"}");
        ttd.tick(10);
        send("over", "cached", ",\"cacheKey\":\"k\"" + METADATA);
        cached.fail(1, 404, NO_MODEL);
        ttd.tick(10);

        final Written w = terminals();
        assertThat(w.results()).extracting(r -> r.path("id").asText()).containsExactly("fill");
        assertThat(w.deadLetters()).singleElement().satisfies(d -> {
            assertThat(d.path("reason").asText()).isEqualTo("FALLBACK_FAILED");
            assertThat(d.path("category").asText()).isEqualTo("RESPONSE_TOO_LARGE");
            assertThat(d.path("source").isNull()).isTrue();
            assertThat(d.path("firstSeenAt").isNull()).isTrue();
        });
    }
}
