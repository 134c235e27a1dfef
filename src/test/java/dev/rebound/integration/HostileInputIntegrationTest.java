package dev.rebound.integration;

import dev.rebound.app.ReboundStreams;
import dev.rebound.config.ReboundConfig;
import dev.rebound.demo.TerminalCounter;
import dev.rebound.execute.HttpTargetExecutor;
import dev.rebound.execute.TargetPool;
import dev.rebound.metrics.ReboundMetrics;
import dev.rebound.sim.SimScenario;
import dev.rebound.sim.Simulator;
import dev.rebound.testkit.HostileCorpus;
import dev.rebound.testkit.IntegrationConfig;
import dev.rebound.testkit.SharedKafka;
import dev.rebound.testkit.TestBroker;
import dev.rebound.topology.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The hostile corpus, interleaved with good requests, through the real processor on a real broker:
 * every bad record reaches agent-dead-letters with its reason, every good one succeeds, no bad one
 * costs a call, and the stream thread is still running at the end.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class HostileInputIntegrationTest {

    @TempDir
    Path dir;

    @Test
    void shouldDeadLetterEveryHostileRecordAndKeepServingTheGoodOnes() throws Exception {
        final TestBroker kafka = SharedKafka.get();
        final String prefix = SharedKafka.freshTopics(3);
        final Topics topics = new Topics(prefix);
        final List<HostileCorpus.Case> corpus = HostileCorpus.cases();
        try (Simulator sim = Simulator.start(0, SimScenario.named("healthy"), 1);
             TerminalCounter counter = new TerminalCounter(kafka.bootstrapServers(), topics.results(), topics.deadLetters());
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                     kafka.bootstrapServers()), new StringSerializer(), new ByteArraySerializer())) {
            final ReboundConfig config = IntegrationConfig.parse(IntegrationConfig.yaml(kafka.bootstrapServers(), prefix, dir, sim.port(), 8)
                    .replace("topics:", "limits: { maxPayloadBytes: 2048, maxRequestBytes: 8192 }\ntopics:"));
            try (ReboundStreams rebound = ReboundStreams.start(config,
                    TargetPool.http(config, HttpTargetExecutor.defaultClient(), Clock.systemUTC()), new ReboundMetrics(), Map.of())) {
                rebound.awaitRunning(Duration.ofSeconds(60));
                for (int i = 0; i < corpus.size(); i++) {
                    producer.send(new ProducerRecord<>(topics.calls(), "good-" + i,
                            ("{\"id\":\"good-" + i + "\",\"target\":\"llm\",\"payload\":{\"n\":" + i + "}}").getBytes(StandardCharsets.UTF_8)));
                    producer.send(new ProducerRecord<>(topics.calls(), "bad-" + corpus.get(i).name(), corpus.get(i).value()));
                }
                producer.send(new ProducerRecord<>(topics.calls(), "bad-tombstone", null));
                producer.flush();
                final int total = 2 * corpus.size() + 1;
                await().atMost(Duration.ofSeconds(90)).until(() -> {
                    counter.poll(Duration.ofMillis(200));
                    return counter.terminalKeys() == total;
                });
                counter.poll(Duration.ofMillis(500));

                for (final HostileCorpus.Case c : corpus) {
                    assertThat(counter.last("bad-" + c.name()).path("reason").asText()).as(c.name()).isEqualTo(c.reason());
                    assertThat(counter.last("bad-" + c.name()).path("message").asText()).as(c.name()).contains(c.fragment());
                }
                assertThat(counter.last("bad-tombstone").path("reason").asText()).isEqualTo("INVALID_REQUEST");
                assertThat(counter.outcome("SUCCEEDED")).isEqualTo(corpus.size());
                assertThat(counter.duplicated()).isZero();
                assertThat(sim.calls()).as("no bad record costs a call").isEqualTo(corpus.size());
                assertThat(rebound.streams().state()).isEqualTo(KafkaStreams.State.RUNNING);
                assertThat(rebound.streams().metadataForLocalThreads()).as("no stream thread died or was replaced")
                        .allSatisfy(t -> assertThat(t.threadName()).endsWith("StreamThread-1"));
            }
        }
    }
}
