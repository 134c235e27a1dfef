package dev.rebound.integration;

import dev.rebound.admin.ProcessorProcess;
import dev.rebound.sim.SimScenario;
import dev.rebound.sim.Simulator;
import dev.rebound.testkit.IntegrationConfig;
import dev.rebound.testkit.SharedKafka;
import dev.rebound.testkit.TestBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The example agent of the README ({@code examples/agent/ExampleAgent.java}, run as it is with the
 * {@code java} source launcher, in a JVM of its own) gets its answer although the processor, also
 * a JVM of its own, is killed with SIGKILL while the agent's call is running and started again:
 * the restarted processor resumes the call from its changelog and writes the one result the
 * agent's client is waiting for.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ExampleAgentIntegrationTest {

    static final Path EXAMPLE = Path.of("examples", "agent", "ExampleAgent.java");

    @TempDir
    Path dir;

    @Test
    void shouldGetItsAnswerWhenTheProcessorIsKilledAndRestartedInTheMiddle() throws Exception {
        assertThat(Files.readAllLines(EXAMPLE)).as("the example stays short").hasSizeLessThan(30);
        final TestBroker kafka = SharedKafka.get();
        final String prefix = SharedKafka.freshTopics(3);
        try (Simulator sim = Simulator.start(0, SimScenario.named("healthy"), 5)) {
            final Path config = dir.resolve("rebound.yaml");
            Files.writeString(config, IntegrationConfig.yaml(kafka.bootstrapServers(), prefix, dir.resolve("state"), sim.port(), 8));
            final Path log = dir.resolve("processor.log");
            final Path agentOut = dir.resolve("agent.out");
            final ProcessorProcess first = ProcessorProcess.start(config, log);
            final Process agent = agent(kafka.bootstrapServers(), prefix, agentOut);
            try {
                // given the agent's call running at the target
                await().atMost(Duration.ofSeconds(60)).until(() -> sim.calls() >= 1 || !agent.isAlive());
                assertThat(agent.isAlive()).as("the agent waits for its answer; printed:\n%s", read(agentOut)).isTrue();
                TimeUnit.MILLISECONDS.sleep(500); // the in-flight entry's transaction commits every 100 ms

                // when the processor is killed mid-call and started again
                first.kill9();
                assertThat(agent.isAlive()).as("no answer yet").isTrue();
                try (ProcessorProcess second = ProcessorProcess.start(config, log)) {
                    // then the agent gets its answer and ends
                    assertThat(agent.waitFor(90, TimeUnit.SECONDS)).as("agent ended; printed:\n%s\nprocessor:\n%s", read(agentOut), read(log))
                            .isTrue();
                }
                assertThat(agent.exitValue()).as(read(agentOut)).isZero();
                assertThat(read(agentOut)).contains("answer: ").contains("Simulated answer.");
                assertThat(sim.calls()).as("the call was cut by the kill and made again after the restart").isGreaterThanOrEqualTo(2);
            } finally {
                agent.destroyForcibly();
                first.close();
            }
        }
    }

    private Process agent(final String bootstrap, final String prefix, final Path out) throws Exception {
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final String payload = "{\"q\":\"from the example\",\"simulate\":{\"latencyMs\":3000}}";
        return new ProcessBuilder(List.of(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"), EXAMPLE.toString(),
                bootstrap, prefix, "llm", payload))
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
    }

    private static String read(final Path file) throws Exception {
        return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    }
}
