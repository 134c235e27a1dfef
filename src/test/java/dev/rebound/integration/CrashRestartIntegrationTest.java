package dev.rebound.integration;

import dev.rebound.admin.ProcessorProcess;
import dev.rebound.demo.TerminalCounter;
import dev.rebound.sim.SimScenario;
import dev.rebound.sim.Simulator;
import dev.rebound.testkit.IntegrationConfig;
import dev.rebound.testkit.Requests;
import dev.rebound.testkit.SharedKafka;
import dev.rebound.testkit.TestBroker;
import dev.rebound.topology.Topics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The processor as its own JVM, killed with SIGKILL mid-run and started again: every request still
 * ends with exactly one terminal record for a read_committed consumer.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class CrashRestartIntegrationTest {

    @TempDir
    Path dir;

    @Test
    void shouldLoseNothingAndDuplicateNothingWhenTheProcessorIsKilled() throws Exception {
        final TestBroker kafka = SharedKafka.get();
        final String prefix = SharedKafka.freshTopics(3);
        final Topics topics = new Topics(prefix);
        final int n = 150;
        try (Simulator sim = Simulator.start(0, SimScenario.named("healthy"), 5);
             Requests requests = new Requests(kafka.bootstrapServers(), topics.calls());
             TerminalCounter counter = new TerminalCounter(kafka.bootstrapServers(), topics.results(), topics.deadLetters())) {
            final Path config = dir.resolve("rebound.yaml");
            Files.writeString(config, IntegrationConfig.yaml(kafka.bootstrapServers(), prefix, dir.resolve("state"), sim.port(), 8));
            final Path log = dir.resolve("processor.log");
            for (int i = 0; i < n; i++) {
                final String fate = i % 10 == 3 ? "{\"latencyMs\":300,\"status\":503}" : "{\"latencyMs\":300}";
                requests.send("k" + i, Requests.scripted("id-" + i, "llm", fate));
            }
            requests.flush();

            try (ProcessorProcess first = ProcessorProcess.start(config, log)) {
                await().atMost(Duration.ofSeconds(90)).until(() -> {
                    counter.poll(Duration.ofMillis(100));
                    return counter.terminalKeys() >= 20;
                });
                first.kill9();
            }
            counter.poll(Duration.ofMillis(500));
            assertThat(counter.terminalKeys()).as("killed mid-run").isLessThan(n);

            try (ProcessorProcess second = ProcessorProcess.start(config, log)) {
                await().atMost(Duration.ofSeconds(150)).until(() -> {
                    counter.poll(Duration.ofMillis(200));
                    return counter.terminalKeys() == n || !second.isAlive();
                });
                counter.poll(Duration.ofSeconds(2));
            }
            assertThat(counter.terminalKeys()).as("lost: see %s", log).isEqualTo(n);
            assertThat(counter.duplicated()).as("duplicated").isZero();
            assertThat(counter.outcome("SUCCEEDED")).isEqualTo(n - n / 10);
            assertThat(counter.reasons()).containsEntry("RETRIES_EXHAUSTED", (long) n / 10);
            assertThat(Files.readString(log)).as("the second processor restarted the calls the first left in flight")
                    .contains("in-flight call(s) restored from the changelog");
        }
    }
}
