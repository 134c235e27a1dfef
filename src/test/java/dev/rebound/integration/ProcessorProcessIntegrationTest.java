package dev.rebound.integration;

import dev.rebound.admin.ProcessorProcess;
import dev.rebound.testkit.IntegrationConfig;
import dev.rebound.testkit.SharedKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A watched processor JVM tells a crash test whether it really runs: the exactly-once benchmark
 * once started a second instance on the first one's state directory, which died at once on the
 * directory's lock, and nothing noticed.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ProcessorProcessIntegrationTest {

    @TempDir
    Path dir;

    @Test
    void shouldFailWithTheEndOfItsLogWhenAProcessorExitsBeforeRunning() throws Exception {
        // given a configuration that stops start-up
        final Path config = dir.resolve("bad.yaml");
        Files.writeString(config, "kafka: { bootstrap.servers: \"127.0.0.1:1\" }\ntargets:\n  t: { url: \"http://h/x\", timeout: soon }\n");

        // when / then
        try (ProcessorProcess p = ProcessorProcess.watched("bad", config, dir.resolve("bad.log"), freePort())) {
            assertThatThrownBy(() -> p.awaitRunning(Duration.ofSeconds(60)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("processor 'bad' exited by itself with code 1")
                    .hasMessageContaining("targets.t.timeout");
        }
    }

    @Test
    void shouldTellASecondInstanceOnTheSameStateDirectoryFromOneOnItsOwn() throws Exception {
        // given one processor running on state directory a
        final String bootstrap = SharedKafka.get().bootstrapServers();
        final String prefix = SharedKafka.freshTopics(2);
        try (ProcessorProcess first = start("first", bootstrap, prefix, "a")) {
            first.awaitRunning(Duration.ofSeconds(90));

            // when a second starts on the same directory, and a third on its own
            try (ProcessorProcess second = start("second", bootstrap, prefix, "a");
                 ProcessorProcess third = start("third", bootstrap, prefix, "b")) {

                // then the second is reported dead, with Kafka Streams' reason, and the third runs
                assertThatThrownBy(() -> second.awaitRunning(Duration.ofSeconds(90)))
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("processor 'second' exited by itself")
                        .hasMessageContaining("state directory");
                assertThat(third.awaitRunning(Duration.ofSeconds(90))).isPositive();
                first.ensureAlive();
                third.ensureAlive();
            }
        }
    }

    /** One instance of the application under {@code prefix}: state directory {@code state}, its own ops port and log. */
    private ProcessorProcess start(final String name, final String bootstrap, final String prefix, final String state) throws Exception {
        final int port = freePort();
        final Path config = dir.resolve(name + ".yaml");
        Files.writeString(config, IntegrationConfig.yaml(bootstrap, prefix, dir.resolve("state-" + state), 9, 4)
                .replace("topics:", "ops: { enabled: true, port: " + port + " }\ntopics:"));
        return ProcessorProcess.watched(name, config, dir.resolve(name + ".log"), port);
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
