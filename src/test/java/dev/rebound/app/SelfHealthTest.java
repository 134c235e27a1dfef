package dev.rebound.app;

import dev.rebound.metrics.ReboundMetrics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/** The processor's own health when things are wrong: nothing running, no broker. */
class SelfHealthTest {

    @TempDir
    Path state;

    @Test
    void shouldBeNeitherReadyNorLiveWithoutABrokerOrRunningStreams() {
        final Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "self-health-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:1");
        props.put(StreamsConfig.STATE_DIR_CONFIG, state.toString());
        final Topology topology = new Topology();
        topology.addSource("s", "in");
        final KafkaStreams streams = new KafkaStreams(topology, props);
        final Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:1",
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "2000", AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "1000"));
        try (SelfHealth health = new SelfHealth(streams, new ReboundMetrics(), new SelfHealth.Restorations(), admin)) {
            final Map<String, SelfHealth.Check> checks = health.checks();
            assertThat(checks.get("brokerReachable").ok()).isFalse();
            assertThat(checks.get("brokerReachable").detail()).startsWith("the cluster did not answer");
            assertThat(checks.get("streamsRunning").ok()).isFalse();
            assertThat(health.ready(checks)).isFalse();
            assertThat(health.live(checks)).as("created, not failed: still live").isTrue();
            assertThat(health.json("ready", false, checks)).contains("\"ready\":false").contains("\"brokerReachable\":{\"ok\":false");
            streams.close(Duration.ofSeconds(5));
            assertThat(health.live(health.checks())).as("stopped for good").isFalse();
        }
    }
}
