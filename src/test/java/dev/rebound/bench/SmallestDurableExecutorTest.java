package dev.rebound.bench;

import dev.rebound.request.Json;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class SmallestDurableExecutorTest {

    private static final byte[] REQUEST = BenchContext.request("r-1", "echo", "", 60_000);

    @Test
    void shouldAnswerEachRequestWithItselfOnceItsEntryIsDrained() {
        try (TopologyTestDriver driver = new TopologyTestDriver(SmallestDurableExecutor.topology("in", "out"))) {
            final TestOutputTopic<String, byte[]> out = send(driver, REQUEST);
            assertThat(out.isEmpty()).isTrue();
            assertThat(inFlight(driver).get("r-1")).isEqualTo(REQUEST);
            driver.advanceWallClockTime(SmallestDurableExecutor.DRAIN);
            assertThat(out.readValue()).isEqualTo(REQUEST);
            assertThat(inFlight(driver).get("r-1")).isNull();
        }
    }

    @Test
    void shouldAnswerARepeatedIdFromTheDedupWindowWithoutAnotherEntryAsTheContractAsks() {
        try (TopologyTestDriver driver = new TopologyTestDriver(SmallestDurableExecutor.contract("in", "out"))) {
            final TestOutputTopic<String, byte[]> out = send(driver, REQUEST);
            driver.advanceWallClockTime(SmallestDurableExecutor.DRAIN);
            final String first = new String(out.readValue(), StandardCharsets.UTF_8);
            assertThat(Json.read(first.getBytes(StandardCharsets.UTF_8), com.fasterxml.jackson.databind.JsonNode.class).path("response")
                    .path("q").asText()).isEqualTo("r-1");
            assertThat(first).contains("\"id\":\"r-1\"", "\"target\":\"echo\"", "\"outcome\":\"SUCCEEDED\"", "\"servedBy\":\"echo\"",
                    "\"attempts\":1", "\"latencyMs\":" + SmallestDurableExecutor.DRAIN.toMillis());

            send(driver, REQUEST);
            assertThat(inFlight(driver).get("r-1")).isNull();
            assertThat(new String(out.readValue(), StandardCharsets.UTF_8)).isEqualTo(first);
            driver.advanceWallClockTime(SmallestDurableExecutor.DRAIN.multipliedBy(2));
            assertThat(out.isEmpty()).isTrue();
        }
    }

    @Test
    void shouldNotCallTheSameIdTwiceWhileItIsInFlight() {
        try (TopologyTestDriver driver = new TopologyTestDriver(SmallestDurableExecutor.contract("in", "out"))) {
            final TestOutputTopic<String, byte[]> out = send(driver, REQUEST);
            send(driver, REQUEST);
            driver.advanceWallClockTime(SmallestDurableExecutor.DRAIN);
            assertThat(out.readValuesToList()).hasSize(1);
        }
    }

    @Test
    void shouldAnswerARecordWithoutAnIdWithAnErrorAndGoOn() {
        try (TopologyTestDriver driver = new TopologyTestDriver(SmallestDurableExecutor.contract("in", "out"))) {
            final TestOutputTopic<String, byte[]> out = send(driver, "not json".getBytes(StandardCharsets.UTF_8));
            send(driver, "{\"target\":\"echo\"}".getBytes(StandardCharsets.UTF_8));
            send(driver, REQUEST);
            driver.advanceWallClockTime(SmallestDurableExecutor.DRAIN);
            assertThat(out.readValuesToList()).hasSize(3).startsWith(SmallestDurableExecutor.UNREADABLE, SmallestDurableExecutor.UNREADABLE);
        }
    }

    @Test
    void shouldLetADedupEntryLapseAfterTheWindow() {
        try (TopologyTestDriver driver = new TopologyTestDriver(SmallestDurableExecutor.contract("in", "out"))) {
            final TestOutputTopic<String, byte[]> out = send(driver, REQUEST);
            driver.advanceWallClockTime(SmallestDurableExecutor.DRAIN);
            out.readValue();
            driver.advanceWallClockTime(SmallestDurableExecutor.DEDUP_WINDOW.plus(Duration.ofMinutes(1)));
            send(driver, REQUEST);
            assertThat(inFlight(driver).get("r-1")).endsWith(REQUEST);
        }
    }

    private static TestOutputTopic<String, byte[]> send(final TopologyTestDriver driver, final byte[] request) {
        final TestInputTopic<String, byte[]> in = driver.createInputTopic("in", Serdes.String().serializer(), Serdes.ByteArray().serializer());
        in.pipeInput("r-1", request);
        return driver.createOutputTopic("out", Serdes.String().deserializer(), Serdes.ByteArray().deserializer());
    }

    private static KeyValueStore<String, byte[]> inFlight(final TopologyTestDriver driver) {
        return driver.getKeyValueStore(SmallestDurableExecutor.STORE);
    }
}
