package dev.rebound.topology;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rebound.testkit.ControlledExecutor;
import dev.rebound.testkit.Ttd;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code replyTo} end to end in one topology (DESIGN §2): a result goes to the reply topic the
 * request names, nothing of the routing reaches the record, a dedup replay goes where the repeated
 * request asks, dead letters always go to the dead-letter topic, and a topic the configuration
 * does not allow is an invalid request.
 */
class ReplyToFlowTest {

    private static final String CONFIG = """
            kafka:
              application.id: reply-test
            results:
              replyTopics: ["agent-results-*"]
            targets:
              llm:
                url: http://127.0.0.1:1/x
                retry: { maxAttempts: 1 }
                circuit: { enabled: false }
            """;

    @TempDir
    Path stateDir;

    private final ControlledExecutor llm = new ControlledExecutor();
    private Ttd ttd;
    private TestOutputTopic<String, byte[]> planner;
    private TestOutputTopic<String, byte[]> critic;

    @BeforeEach
    void start() {
        ttd = new Ttd(CONFIG, t -> llm, stateDir, 1);
        planner = ttd.driver.createOutputTopic("agent-results-planner", new StringDeserializer(), new ByteArrayDeserializer());
        critic = ttd.driver.createOutputTopic("agent-results-critic", new StringDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void stop() {
        ttd.close();
    }

    private static String request(final String id, final String replyTo) {
        return "{\"id\":\"" + id + "\",\"target\":\"llm\",\"payload\":{}" + (replyTo == null ? "" : ",\"replyTo\":\"" + replyTo + "\"") + "}";
    }

    @Test
    void shouldWriteAResultToTheReplyTopicTheRequestNames() {
        ttd.send("k1", request("a", "agent-results-planner"));
        ttd.tick(10);
        llm.succeed(0, "{\"answer\":42}");
        ttd.tick(10);

        final List<TestRecord<String, byte[]>> records = planner.readRecordsToList();
        assertThat(records).hasSize(1);
        assertThat(records.get(0).key()).isEqualTo("k1");
        final JsonNode result = Ttd.json(records.get(0).value());
        assertThat(result.path("id").asText()).isEqualTo("a");
        assertThat(result.path("response").path("answer").asInt()).isEqualTo(42);
        assertThat(records.get(0).headers().toArray()).as("no routing header reaches the record").isEmpty();
        assertThat(ttd.results.isEmpty()).isTrue();
    }

    @Test
    void shouldReplayAStoredResultWhereTheRepeatedRequestAsks() {
        ttd.send("k1", request("a", "agent-results-planner"));
        ttd.tick(10);
        llm.succeed(0, "{\"answer\":42}");
        ttd.tick(10);
        planner.readRecordsToList();

        ttd.send("k1", request("a", "agent-results-critic"));
        ttd.send("k1", request("a", null));

        final List<TestRecord<String, byte[]>> replayed = critic.readRecordsToList();
        assertThat(replayed).hasSize(1);
        assertThat(replayed.get(0).headers().lastHeader(Topics.DEDUP_REPLAY_HEADER)).isNotNull();
        assertThat(Ttd.json(replayed.get(0).value()).path("response").path("answer").asInt()).isEqualTo(42);
        assertThat(Ttd.read(ttd.results)).as("a repeat without replyTo reads the results topic").hasSize(1);
        assertThat(llm.calls()).as("answered again, never called again").hasSize(1);
    }

    @Test
    void shouldWriteDeadLettersToTheDeadLetterTopicWhateverTheReplyTopic() {
        ttd.send("k1", request("b", "agent-results-planner"));
        ttd.tick(10);
        llm.fail(0, 400, "{\"error\":\"bad\"}");
        ttd.tick(10);

        assertThat(planner.isEmpty()).isTrue();
        final List<JsonNode> dead = Ttd.read(ttd.deadLetters);
        assertThat(dead).hasSize(1);
        assertThat(dead.get(0).path("id").asText()).isEqualTo("b");
    }

    @Test
    void shouldRejectAReplyTopicTheConfigurationDoesNotAllow() {
        ttd.send("k1", request("c", "agent-circuits"));

        final List<JsonNode> dead = Ttd.read(ttd.deadLetters);
        assertThat(dead).hasSize(1);
        assertThat(dead.get(0).path("reason").asText()).isEqualTo("INVALID_REQUEST");
        assertThat(dead.get(0).path("message").asText()).contains("'agent-circuits'").contains("[agent-results-*]");
        assertThat(llm.calls()).isEmpty();
    }
}
