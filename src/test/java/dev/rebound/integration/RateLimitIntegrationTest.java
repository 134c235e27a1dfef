package dev.rebound.integration;

import dev.rebound.app.ReboundStreams;
import dev.rebound.config.ReboundConfig;
import dev.rebound.demo.TerminalCounter;
import dev.rebound.sim.ProviderLimit;
import dev.rebound.sim.ProviderLimitStats;
import dev.rebound.sim.SimScenario;
import dev.rebound.sim.Simulator;
import dev.rebound.testkit.Instances;
import dev.rebound.testkit.IntegrationConfig;
import dev.rebound.testkit.Requests;
import dev.rebound.testkit.SharedKafka;
import dev.rebound.testkit.TestBroker;
import dev.rebound.topology.Topics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The cluster-wide rate limit on the real broker: two processor instances, six partitions, and a
 * simulated provider that enforces the same {@code requestsPerMinute} over any 60 s and answers 429
 * above it. More requests are offered at once than the limit allows in a minute: the provider never
 * has to refuse one, each request is called once, and every one is answered.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class RateLimitIntegrationTest {

    private static final int LIMIT = 120;
    private static final int REQUESTS = 140;

    @TempDir
    Path dir;

    @Test
    void shouldHoldTheLimitForTheWholeClusterSoThatTheProviderNeverAnswers429() throws Exception {
        final TestBroker kafka = SharedKafka.get();
        final String prefix = SharedKafka.freshTopics(6);
        final Topics topics = new Topics(prefix);
        try (Simulator sim = Simulator.start(0, SimScenario.fixedLatency(Duration.ofMillis(20))
                .withProviderLimit(ProviderLimit.requestsPerMinute(LIMIT)), 3)) {
            final String yaml = IntegrationConfig.yaml(kafka.bootstrapServers(), prefix, dir.resolve("a"), sim.port(), 16)
                    .replace("    circuit: { enabled: false }", "    circuit: { enabled: false }\n    rateLimit: { requestsPerMinute: " + LIMIT + " }");
            final ReboundConfig a = IntegrationConfig.parse(yaml);
            final ReboundConfig b = IntegrationConfig.parse(yaml.replace(dir.resolve("a").toString(), dir.resolve("b").toString()));
            try (ReboundStreams first = Instances.start(a); ReboundStreams second = Instances.start(b);
                 Requests requests = new Requests(kafka.bootstrapServers(), topics.calls());
                 TerminalCounter counter = new TerminalCounter(kafka.bootstrapServers(), topics.results(), topics.deadLetters())) {
                Instances.awaitActive(first, second);
                final long start = System.nanoTime();
                for (int i = 0; i < REQUESTS; i++) {
                    requests.send(i % 6, "k" + i, Requests.scripted("r-" + i, "llm", "", 240_000));
                }
                requests.flush();
                await().atMost(Duration.ofMinutes(3)).until(() -> {
                    counter.poll(Duration.ofMillis(500));
                    return counter.terminalKeys() == REQUESTS;
                });
                final double seconds = (System.nanoTime() - start) / 1e9;
                counter.poll(Duration.ofMillis(500));
                final ProviderLimitStats stats = sim.providerLimitStats().orElseThrow();
                assertThat(stats.refused()).as("429s the provider had to answer").isZero();
                assertThat(stats.maxAcceptedInWindow()).as("calls in the provider's busiest 60 s").isLessThanOrEqualTo(LIMIT);
                assertThat(stats.accepted()).as("each request called once").isEqualTo(REQUESTS);
                assertThat(counter.outcome("SUCCEEDED")).isEqualTo(REQUESTS);
                assertThat(counter.duplicated()).isZero();
                // the limit was the bottleneck, not the cluster: the first minute's calls came close to it
                assertThat(stats.maxAcceptedInWindow()).as("calls in the busiest 60 s").isGreaterThanOrEqualTo((long) (LIMIT * 0.9));
                assertThat(seconds).as("140 requests at 120 a minute cannot all finish within a minute").isGreaterThan(60);
            }
        }
    }

}
