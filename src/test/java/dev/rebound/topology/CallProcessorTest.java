package dev.rebound.topology;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rebound.classify.Failure;
import dev.rebound.config.ReboundConfig;
import dev.rebound.execute.TargetPool;
import dev.rebound.lifecycle.InFlightEntry;
import dev.rebound.metrics.ReboundMetrics;
import dev.rebound.request.AgentRequest;
import dev.rebound.request.Json;
import dev.rebound.request.ParseResult;
import dev.rebound.request.RequestParser;
import dev.rebound.testkit.Configs;
import dev.rebound.testkit.ControlledExecutor;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

class CallProcessorTest {

    private static final Instant START = Instant.parse("2026-11-29T12:00:00Z");

    @TempDir
    Path stateDir;

    private final ReboundConfig config = Configs.twoTargets("http://127.0.0.1:1");
    private final ControlledExecutor llm = new ControlledExecutor();
    private final ControlledExecutor tools = new ControlledExecutor();
    private final ReboundMetrics metrics = new ReboundMetrics();
    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> calls;
    private TestOutputTopic<String, byte[]> results;
    private TestOutputTopic<String, byte[]> deadLetters;
    private TestOutputTopic<String, byte[]> retry1s;
    private TestOutputTopic<String, byte[]> retry10s;
    private TestOutputTopic<String, byte[]> retry1m;
    private TestOutputTopic<String, byte[]> retry10m;

    @BeforeEach
    void start() {
        final TargetPool pool = TargetPool.of(config, t -> t.name().equals("llm") ? llm : tools);
        final Properties props = StreamsSettings.of(config);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(ReboundTopology.build(config, pool, metrics), props, START);
        final Topics topics = new Topics("");
        calls = driver.createInputTopic(topics.calls(), new StringSerializer(), new ByteArraySerializer());
        results = driver.createOutputTopic(topics.results(), new StringDeserializer(), new ByteArrayDeserializer());
        deadLetters = driver.createOutputTopic(topics.deadLetters(), new StringDeserializer(), new ByteArrayDeserializer());
        retry1s = driver.createOutputTopic(topics.retryTier(Duration.ofSeconds(1)), new StringDeserializer(), new ByteArrayDeserializer());
        retry10s = driver.createOutputTopic(topics.retryTier(Duration.ofSeconds(10)), new StringDeserializer(), new ByteArrayDeserializer());
        retry1m = driver.createOutputTopic(topics.retryTier(Duration.ofMinutes(1)), new StringDeserializer(), new ByteArrayDeserializer());
        retry10m = driver.createOutputTopic(topics.retryTier(Duration.ofMinutes(10)), new StringDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    private void send(final String key, final String json) {
        calls.pipeInput(key, json.getBytes(StandardCharsets.UTF_8));
    }

    private void tick() {
        driver.advanceWallClockTime(Duration.ofMillis(10));
    }

    private static JsonNode json(final byte[] value) {
        try {
            return Json.MAPPER.readTree(value);
        } catch (final Exception e) {
            throw new AssertionError(e);
        }
    }

    private KeyValueStore<String, InFlightEntry> inFlight() {
        return driver.getKeyValueStore(StoreNames.IN_FLIGHT);
    }

    @Test
    void shouldResumeEntriesParkedBeforeARestartInTheOrderTheyCameNotByIdOrTimer() {
        // as a restart finds them: parked (their target's line was full), timers far off, ids in the opposite order of arrival
        final RequestParser parser = new RequestParser(config.targets(), config.limits());
        final List<String> ids = List.of("z-first", "y-second", "x-third");
        for (int i = 0; i < ids.size(); i++) {
            final String json = "{\"id\":\"" + ids.get(i) + "\",\"target\":\"llm\",\"payload\":{}}";
            final AgentRequest request = ((ParseResult.Valid) parser.parse(json.getBytes(StandardCharsets.UTF_8), START)).request();
            inFlight().put(ids.get(i), InFlightEntry.first("k", request, START.plusSeconds(i), null).parkedUntil(START.plusSeconds(60), "room", START));
        }
        tick();
        assertThat(llm.calls()).extracting(c -> c.spec().requestId()).as("resumed at once, oldest first")
                .containsExactly("z-first", "y-second", "x-third");
    }

    @Test
    void shouldWriteAResultOnlyFromThePunctuatorAfterTheCallSucceeds() {
        send("session-1", "{\"id\":\"r1\",\"target\":\"llm\",\"payload\":{\"q\":1},\"metadata\":{\"agent\":\"planner\"}}");

        assertThat(llm.calls()).hasSize(1);
        assertThat(llm.call(0).spec().requestId()).isEqualTo("r1");
        assertThat(llm.call(0).spec().attempt()).isEqualTo(1);
        assertThat(new String(llm.call(0).spec().body(), StandardCharsets.UTF_8)).isEqualTo("{\"q\":1}");
        assertThat(inFlight().get("r1")).isNotNull();

        llm.succeed(0, "{\"choices\":[{\"message\":{\"content\":\"hi\"}}]}");
        assertThat(results.isEmpty()).as("nothing is forwarded from the HTTP callback").isTrue();

        tick();
        final TestRecord<String, byte[]> r = results.readRecord();
        assertThat(r.key()).isEqualTo("session-1");
        final JsonNode v = json(r.value());
        assertThat(v.path("id").asText()).isEqualTo("r1");
        assertThat(v.path("outcome").asText()).isEqualTo("SUCCEEDED");
        assertThat(v.path("servedBy").asText()).isEqualTo("llm");
        assertThat(v.path("degraded").asBoolean()).isFalse();
        assertThat(v.path("httpStatus").asInt()).isEqualTo(200);
        assertThat(v.path("attempts").asInt()).isEqualTo(1);
        assertThat(v.path("response").path("choices").get(0).path("message").path("content").asText()).isEqualTo("hi");
        assertThat(v.path("metadata").path("agent").asText()).isEqualTo("planner");
        assertThat(v.path("lastError").isNull()).isTrue();
        assertThat(inFlight().get("r1")).as("the in-flight entry is gone with the terminal record").isNull();
        assertThat(results.isEmpty()).isTrue();
        assertThat(deadLetters.isEmpty()).isTrue();
    }

    @Test
    void shouldDeadLetterANonRetryableFailureAtOnceWithItsAttemptHistory() {
        send("s", "{\"id\":\"r2\",\"target\":\"llm\",\"payload\":{}}");
        llm.fail(0, 401, "{\"error\":{\"message\":\"Incorrect API key provided\",\"code\":\"invalid_api_key\"}}");
        tick();

        final JsonNode dl = json(deadLetters.readValue());
        assertThat(dl.path("reason").asText()).isEqualTo("NON_RETRYABLE");
        assertThat(dl.path("category").asText()).isEqualTo("AUTHENTICATION");
        assertThat(dl.path("severity").asText()).isEqualTo("CRITICAL");
        assertThat(dl.path("attempts")).hasSize(1);
        final JsonNode attempt = dl.path("attempts").get(0);
        assertThat(attempt.path("attempt").asInt()).isEqualTo(1);
        assertThat(attempt.path("httpStatus").asInt()).isEqualTo(401);
        assertThat(attempt.path("target").asText()).isEqualTo("llm");
        assertThat(attempt.path("message").asText()).contains("Incorrect API key");
        assertThat(dl.path("request").path("id").asText()).isEqualTo("r2");
        assertThat(dl.path("source").path("topic").asText()).isEqualTo("agent-calls");
        assertThat(dl.path("firstSeenAt").asText()).isNotEmpty();
        assertThat(results.isEmpty()).isTrue();
    }

    @Test
    void shouldRetryThroughTheDelayPathAndSucceed() {
        send("s", "{\"id\":\"r3\",\"target\":\"llm\",\"payload\":{}}");
        llm.fail(0, 503, "{\"error\":{\"message\":\"busy\",\"type\":\"server_error\"}}");
        tick();

        assertThat(results.isEmpty()).isTrue();
        assertThat(deadLetters.isEmpty()).isTrue();
        final InFlightEntry waiting = inFlight().get("r3");
        assertThat(waiting.waiting()).isTrue();
        assertThat(waiting.attempt()).isEqualTo(2);
        assertThat(waiting.attempts()).singleElement().satisfies(a -> assertThat(a.waitMs()).isEqualTo(1000L));
        final TestRecord<String, byte[]> tierRecord = retry1s.readRecord();
        assertThat(tierRecord.key()).isEqualTo("s");
        assertThat(json(tierRecord.value()).path("attempts")).hasSize(1);

        driver.advanceWallClockTime(Duration.ofMillis(900));
        assertThat(llm.calls()).as("never before due").hasSize(1);
        driver.advanceWallClockTime(Duration.ofMillis(200));
        assertThat(llm.calls()).hasSize(2);
        assertThat(llm.call(1).spec().attempt()).isEqualTo(2);

        llm.succeed(1, "{\"ok\":true}");
        tick();
        final JsonNode v = json(results.readValue());
        assertThat(v.path("attempts").asInt()).isEqualTo(2);
        assertThat(metrics.scrape())
                .contains("rebound_retries_total{target=\"llm\",tier=\"1s\"} 1.0")
                .contains("rebound_terminal_total{kind=\"result\",reason=\"SUCCEEDED\",target=\"llm\"} 1.0")
                .contains("rebound_retry_effective_max_attempts{target=\"llm\",task=\"0_0\"} 3.0");
        assertThat(v.path("lastError").path("category").asText()).isEqualTo("SERVER_ERROR");
        assertThat(v.path("lastError").path("httpStatus").asInt()).isEqualTo(503);
        assertThat(inFlight().get("r3")).isNull();
    }

    @Test
    void shouldDeadLetterWhenEveryAttemptFailsWithEachWaitInTheHistory() {
        send("s", "{\"id\":\"r5\",\"target\":\"llm\",\"payload\":{}}");
        llm.fail(0, 503, "{}");
        tick();
        driver.advanceWallClockTime(Duration.ofMillis(1100));
        llm.fail(1, 529, "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}");
        tick();
        assertThat(retry10s.readRecordsToList()).as("a 2 s wait goes to the 10 s tier").hasSize(1);
        driver.advanceWallClockTime(Duration.ofMillis(2100));
        assertThat(llm.calls()).hasSize(3);
        llm.breakConnection(2, Failure.TransportKind.RESET);
        tick();

        final JsonNode dl = json(deadLetters.readValue());
        assertThat(dl.path("reason").asText()).isEqualTo("RETRIES_EXHAUSTED");
        assertThat(dl.path("category").asText()).isEqualTo("NETWORK");
        assertThat(dl.path("message").asText()).contains("3 of 3 attempts used");
        assertThat(dl.path("attempts")).extracting(a -> a.path("category").asText())
                .containsExactly("SERVER_ERROR", "SERVER_ERROR", "NETWORK");
        assertThat(dl.path("attempts")).extracting(a -> a.path("waitMs").isNull() ? -1L : a.path("waitMs").asLong())
                .containsExactly(1000L, 2000L, -1L);
    }

    @Test
    void shouldGiveUpAtOnceWhenTheNextWaitWouldPassTheDeadline() {
        send("s", "{\"id\":\"r6\",\"target\":\"llm\",\"payload\":{},\"timeoutMs\":2500}");
        llm.fail(0, 503, "{}");
        tick();
        driver.advanceWallClockTime(Duration.ofMillis(1100));
        assertThat(llm.call(1).spec().timeout()).as("the remaining time caps the call").isLessThanOrEqualTo(Duration.ofMillis(1400));
        llm.fail(1, 503, "{}");
        tick();
        final JsonNode dl = json(deadLetters.readValue());
        assertThat(dl.path("reason").asText()).isEqualTo("DEADLINE_EXCEEDED");
        assertThat(dl.path("message").asText()).contains("after the deadline");
        assertThat(llm.calls()).hasSize(2);
    }

    @Test
    void shouldHonourAProviderHintLongerThanTheBackoffCap() {
        send("s", "{\"id\":\"r7\",\"target\":\"llm\",\"payload\":{}}");
        llm.fail(0, 429, "{\"error\":{\"message\":\"Rate limit reached. Please try again in 90s.\",\"code\":\"rate_limit_exceeded\"}}");
        tick();
        final InFlightEntry waiting = inFlight().get("r7");
        assertThat(waiting.lastWaitMs()).as("not clipped to maxDelay 5s").isEqualTo(90_000L);
        assertThat(retry1m.readRecordsToList()).hasSize(0);
        assertThat(retry10m.readRecordsToList()).as("90 s goes to the 10 m tier").hasSize(1);
        driver.advanceWallClockTime(Duration.ofSeconds(89));
        assertThat(llm.calls()).hasSize(1);
        driver.advanceWallClockTime(Duration.ofSeconds(2));
        assertThat(llm.calls()).hasSize(2);
    }

    @Test
    void shouldNotRetryWhenTheBudgetIsSpent() {
        send("s", "{\"id\":\"r8\",\"target\":\"tools\",\"payload\":{}}");
        tools.breakConnection(0, Failure.TransportKind.TIMEOUT);
        tick();
        final JsonNode dl = json(deadLetters.readValue());
        assertThat(dl.path("reason").asText()).isEqualTo("RETRY_BUDGET_EXHAUSTED");
        assertThat(dl.path("category").asText()).isEqualTo("TIMEOUT");
        assertThat(metrics.scrape()).contains("rebound_retry_budget_left{target=\"tools\",task=\"0_0\"} 0.0");
        assertThat(dl.path("attempts").get(0).path("httpStatus").isNull()).isTrue();
        assertThat(tools.calls()).hasSize(1);
    }

    @Test
    void shouldSpendTheBudgetAcrossRequests() {
        // llm's budget: 0.2 x first attempts + 1/s x 10 s; 20 failing requests earn 4 + 10 = 14 retries.
        // 429s: retryable, but not held against the circuit, whose local breaker would otherwise
        // trip after 5 and take back the attempts still waiting for a slot (tested on its own)
        for (int i = 0; i < 20; i++) {
            send("s" + i, "{\"id\":\"b" + i + "\",\"target\":\"llm\",\"payload\":{}}");
        }
        for (int i = 0; i < 4; i++) {
            llm.fail(i, 429, "{}");
        }
        tick();
        for (int i = 4; i < 20; i++) {
            llm.fail(i, 429, "{}");
            tick();
        }
        final List<TestRecord<String, byte[]>> dls = deadLetters.readRecordsToList();
        assertThat(dls).extracting(r -> json(r.value()).path("reason").asText()).containsOnly("RETRY_BUDGET_EXHAUSTED");
        assertThat(dls).hasSize(20 - 14);
    }

    @Test
    void shouldDeadLetterBadInputWithoutACallAndKeepServingGoodRecords() {
        final List<String> bad = List.of(
                "{\"id\":\"a\",\"target\":\"llm\",",
                "{\"target\":\"llm\",\"payload\":{}}",
                "{\"id\":\"b\",\"target\":\"nope\",\"payload\":{}}",
                "{\"id\":\"c\",\"target\":\"llm\",\"payload\":{},\"deadline\":\"2001-01-01T00:00:00Z\"}",
                "{\"id\":\"d\",\"target\":\"llm\",\"url\":\"http://169.254.169.254/\",\"payload\":{}}");
        send("good-1", "{\"id\":\"g1\",\"target\":\"llm\",\"payload\":{}}");
        for (int i = 0; i < bad.size(); i++) {
            send("bad-" + i, bad.get(i));
        }
        calls.pipeInput("bad-null", (byte[]) null);
        calls.pipeInput("bad-binary", new byte[]{(byte) 0xff, (byte) 0xfe, 0x00, 0x01});
        send("good-2", "{\"id\":\"g2\",\"target\":\"llm\",\"payload\":{}}");

        assertThat(llm.calls()).extracting(c -> c.spec().requestId()).containsExactly("g1", "g2");
        final List<TestRecord<String, byte[]>> dls = deadLetters.readRecordsToList();
        assertThat(dls).hasSize(bad.size() + 2);
        assertThat(dls).extracting(TestRecord::key).containsExactly("bad-0", "bad-1", "bad-2", "bad-3", "bad-4", "bad-null", "bad-binary");
        assertThat(dls).extracting(r -> json(r.value()).path("reason").asText())
                .containsExactly("INVALID_REQUEST", "INVALID_REQUEST", "UNKNOWN_TARGET", "INVALID_REQUEST", "INVALID_REQUEST",
                        "INVALID_REQUEST", "INVALID_REQUEST");
        assertThat(dls).allSatisfy(r -> assertThat(json(r.value()).path("message").asText()).isNotBlank());

        llm.succeed(0, "{}");
        llm.succeed(1, "{}");
        tick();
        assertThat(results.readRecordsToList()).extracting(TestRecord::key).containsExactly("good-1", "good-2");
    }

    @Test
    void shouldAnswerARepeatedIdFromTheDedupStoreWithoutASecondCall() {
        send("s", "{\"id\":\"same\",\"target\":\"llm\",\"payload\":{}}");
        llm.succeed(0, "{\"n\":1}");
        tick();
        final byte[] first = results.readValue();

        send("s", "{\"id\":\"same\",\"target\":\"llm\",\"payload\":{\"changed\":true}}");
        tick();

        assertThat(llm.calls()).hasSize(1);
        final TestRecord<String, byte[]> replay = results.readRecord();
        assertThat(replay.value()).isEqualTo(first);
        assertThat(replay.headers().lastHeader(Topics.DEDUP_REPLAY_HEADER)).isNotNull();
    }

    @Test
    void shouldRememberADeadLetterForDedupToo() {
        send("s", "{\"id\":\"dl\",\"target\":\"llm\",\"payload\":{}}");
        llm.fail(0, 400, "{\"error\":{\"message\":\"bad\"}}");
        tick();
        deadLetters.readValue();
        send("s", "{\"id\":\"dl\",\"target\":\"llm\",\"payload\":{}}");
        assertThat(llm.calls()).hasSize(1);
        assertThat(json(deadLetters.readValue()).path("reason").asText()).isEqualTo("NON_RETRYABLE");
    }

    @Test
    void shouldForgetAnIdAfterTheDedupWindow() {
        send("s", "{\"id\":\"old\",\"target\":\"llm\",\"payload\":{}}");
        llm.succeed(0, "{}");
        tick();
        results.readValue();
        driver.advanceWallClockTime(Duration.ofHours(25));
        send("s", "{\"id\":\"old\",\"target\":\"llm\",\"payload\":{}}");
        assertThat(llm.calls()).hasSize(2);
    }

    @Test
    void shouldIgnoreADuplicateWhileTheFirstIsInFlight() {
        send("s", "{\"id\":\"twice\",\"target\":\"llm\",\"payload\":{}}");
        send("s", "{\"id\":\"twice\",\"target\":\"llm\",\"payload\":{}}");
        assertThat(llm.calls()).hasSize(1);
        llm.succeed(0, "{}");
        tick();
        assertThat(results.readRecordsToList()).hasSize(1);
    }

    @Test
    void shouldNeverWriteAConfiguredSecretToATopic() {
        send("s", "{\"id\":\"leak\",\"target\":\"llm\",\"payload\":{}}");
        llm.succeed(0, "{\"echo\":\"Authorization: Bearer " + Configs.SECRET + "\"}");
        tick();
        final String out = new String(results.readValue(), StandardCharsets.UTF_8);
        assertThat(out).doesNotContain(Configs.SECRET).contains("***");
    }

    @Test
    void shouldCapTheCallTimeoutByTheRequestDeadline() {
        send("s", "{\"id\":\"soon\",\"target\":\"llm\",\"payload\":{},\"timeoutMs\":500}");
        assertThat(llm.call(0).spec().timeout()).isEqualTo(Duration.ofMillis(500));
        send("s", "{\"id\":\"later\",\"target\":\"llm\",\"payload\":{},\"timeoutMs\":600000}");
        assertThat(llm.call(1).spec().timeout()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void shouldHoldCallsBeyondMaxInFlightUntilASlotFrees() {
        for (int i = 0; i < 6; i++) {
            send("s" + i, "{\"id\":\"q" + i + "\",\"target\":\"tools\",\"payload\":{}}");
        }
        assertThat(tools.calls()).as("tools has maxInFlight 2").hasSize(2);
        tools.succeed(0, "{}");
        tick();
        assertThat(tools.calls()).hasSize(3);
        tools.succeed(1, "{}");
        tools.succeed(2, "{}");
        tick();
        assertThat(tools.calls()).hasSize(5);
        assertThat(results.readRecordsToList()).hasSize(3);
        assertThat(inFlight().approximateNumEntries()).isEqualTo(3);
    }

    @Test
    void shouldKeepEveryRequestInTheInFlightStoreUntilItsTerminalRecord() {
        for (int i = 0; i < 3; i++) {
            send("s", "{\"id\":\"k" + i + "\",\"target\":\"llm\",\"payload\":{}}");
        }
        final InFlightEntry e = inFlight().get("k1");
        assertThat(e.key()).isEqualTo("s");
        assertThat(e.attempt()).isEqualTo(1);
        assertThat(e.request().path("id").asText()).isEqualTo("k1");
        assertThat(e.source().offset()).isEqualTo(1);
    }
}
