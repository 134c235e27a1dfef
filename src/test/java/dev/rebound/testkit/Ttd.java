package dev.rebound.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rebound.config.ReboundConfig;
import dev.rebound.config.TargetConfig;
import dev.rebound.execute.TargetExecutor;
import dev.rebound.execute.TargetPool;
import dev.rebound.metrics.ReboundMetrics;
import dev.rebound.request.Json;
import dev.rebound.topology.ReboundTopology;
import dev.rebound.topology.StreamsSettings;
import dev.rebound.topology.Topics;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Rebound's whole topology in a {@link TopologyTestDriver}: the configuration from YAML, the
 * targets' executors from the test, wall-clock time advanced by hand, and the topics as JSON.
 */
public final class Ttd implements AutoCloseable {

    public static final Instant START = Instant.parse("2026-11-30T12:00:00Z");

    public final ReboundConfig config;
    public final ReboundMetrics metrics = new ReboundMetrics();
    public final TopologyTestDriver driver;
    public final TestInputTopic<String, byte[]> calls;
    public final TestInputTopic<String, byte[]> control;
    public final TestOutputTopic<String, byte[]> results;
    public final TestOutputTopic<String, byte[]> deadLetters;
    public final TestOutputTopic<String, byte[]> circuits;

    /** @param seed the seed of the tasks' random sources (jitter, ramp draws) */
    public Ttd(final String yaml, final Function<TargetConfig, TargetExecutor> executors, final Path stateDir, final long seed) {
        this.config = Configs.parse(yaml);
        final Properties props = StreamsSettings.of(config);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        final SplittableRandom seeds = new SplittableRandom(seed);
        driver = new TopologyTestDriver(ReboundTopology.build(config, TargetPool.of(config, executors), metrics, seeds::split), props, START);
        final Topics topics = new Topics("");
        calls = driver.createInputTopic(topics.calls(), new StringSerializer(), new ByteArraySerializer());
        control = driver.createInputTopic(topics.control(), new StringSerializer(), new ByteArraySerializer());
        results = driver.createOutputTopic(topics.results(), new StringDeserializer(), new ByteArrayDeserializer());
        deadLetters = driver.createOutputTopic(topics.deadLetters(), new StringDeserializer(), new ByteArrayDeserializer());
        circuits = driver.createOutputTopic(topics.circuits(), new StringDeserializer(), new ByteArrayDeserializer());
    }

    public void send(final String key, final String json) {
        calls.pipeInput(key, json.getBytes(StandardCharsets.UTF_8));
    }

    public void control(final String target, final String json) {
        control.pipeInput(target, json.getBytes(StandardCharsets.UTF_8));
    }

    public void tick(final long ms) {
        driver.advanceWallClockTime(Duration.ofMillis(ms));
    }

    /** Everything written to {@code topic} since the last read, as JSON. */
    public static List<JsonNode> read(final TestOutputTopic<String, byte[]> topic) {
        return topic.readRecordsToList().stream().map(TestRecord::value).map(Ttd::json).toList();
    }

    public static JsonNode json(final byte[] value) {
        try {
            return Json.MAPPER.readTree(value);
        } catch (final Exception e) {
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() {
        driver.close();
    }
}
