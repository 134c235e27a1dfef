package dev.rebound.integration;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rebound.admin.TopicSnapshot;
import dev.rebound.app.ReboundStreams;
import dev.rebound.circuit.ControlRecord;
import dev.rebound.config.ReboundConfig;
import dev.rebound.demo.TerminalCounter;
import dev.rebound.request.Json;
import dev.rebound.sim.SimScenario;
import dev.rebound.sim.Simulator;
import dev.rebound.testkit.Cli;
import dev.rebound.testkit.Instances;
import dev.rebound.testkit.IntegrationConfig;
import dev.rebound.testkit.Requests;
import dev.rebound.testkit.SharedKafka;
import dev.rebound.testkit.TestBroker;
import dev.rebound.topology.StoreNames;
import dev.rebound.topology.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A pool (DESIGN §5) across the cluster: two processor instances, six partitions, a pool of three
 * simulated endpoints weighted 3/1/1. An operator drains one endpoint with
 * {@code rebound control disable llm/north} (a target name with a '/') and only that endpoint stops
 * being called; then {@code west} answers 503 for a while: every request is still answered exactly
 * once (a failed call is retried on another endpoint), none is dead-lettered, {@code west}'s own
 * circuit opens on {@code agent-circuits} (target {@code llm/west}) and its calls stop.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class PoolIntegrationTest {

    private static final int THRESHOLD = 5;
    /** West's calls (a fifth of 20 a second) while an OPEN travels to every task, in flight included: as the cluster-circuit test. */
    private static final int PROPAGATION_ALLOWANCE = 15;
    private static final int DRAINED = 60;
    private static final int OUTAGE_REQUESTS = 160;
    private static final Duration OUTAGE = Duration.ofSeconds(8);

    @TempDir
    Path dir;

    @Test
    void shouldDrainOneEndpointOnCommandAndRouteAroundAFailingOneAnsweringEveryRequestOnce() throws Exception {
        final TestBroker kafka = SharedKafka.get();
        final String prefix = SharedKafka.freshTopics(6);
        final Topics topics = new Topics(prefix);
        final Map<String, Simulator> sims = new LinkedHashMap<>();
        try {
            int seed = 5;
            for (final String e : List.of("east", "west", "north")) {
                sims.put(e, Simulator.start(0, SimScenario.fixedLatency(Duration.ofMillis(10)), seed++));
            }
            final String yaml = yaml(kafka.bootstrapServers(), prefix, dir.resolve("a"), sims);
            final Path configFile = Files.writeString(dir.resolve("rebound.yaml"), yaml);
            final ReboundConfig a = IntegrationConfig.parse(yaml);
            final ReboundConfig b = IntegrationConfig.parse(yaml.replace(dir.resolve("a").toString(), dir.resolve("b").toString()));
            try (ReboundStreams first = Instances.start(a); ReboundStreams second = Instances.start(b);
                 Requests requests = new Requests(kafka.bootstrapServers(), topics.calls());
                 TerminalCounter counter = new TerminalCounter(kafka.bootstrapServers(), topics.results(), topics.deadLetters())) {
                Instances.awaitActive(first, second);

                // an operator drains north: a control record keyed by the endpoint's target name
                assertThat(Cli.rebound("control", "disable", "llm/nowhere", "--reason", "x", "--config", configFile.toString()).code())
                        .as("only configured endpoints").isEqualTo(1);
                final Cli.Run disable = Cli.rebound("control", "disable", "llm/north", "--reason", "key rotation", "--config",
                        configFile.toString());
                assertThat(disable.code()).as(disable.err()).isZero();
                assertThat(disable.out()).contains("disabled llm/north (key rotation)");
                await().atMost(Duration.ofSeconds(30)).until(() -> disabled(first, "llm/north") && disabled(second, "llm/north"));
                for (int i = 0; i < DRAINED; i++) {
                    requests.send(i % 6, "d" + i, Requests.scripted("d-" + i, "llm", ""));
                }
                requests.flush();
                awaitAnswered(counter, DRAINED);
                assertThat(sims.get("north").calls()).as("the drained endpoint is not called").isZero();
                assertThat(sims.get("east").calls() + sims.get("west").calls()).as("each request called once").isEqualTo(DRAINED);
                // 10 requests per task, each task's round 3:1 exact to within one pick: east 42..48 of 60
                assertThat(sims.get("east").calls()).as("east and west share north's part by weight").isBetween(40L, 50L);
                assertThat(Cli.rebound("control", "enable", "llm/north", "--config", configFile.toString()).code()).isZero();
                await().atMost(Duration.ofSeconds(30)).until(() -> !disabled(first, "llm/north") && !disabled(second, "llm/north"));

                // west fails every call for a while; one request every 50 ms spread over the partitions
                final Simulator west = sims.get("west");
                final long westBefore = west.calls();
                west.outageFor(OUTAGE);
                for (int i = 0; i < OUTAGE_REQUESTS; i++) {
                    requests.send(i % 6, "o" + i, Requests.scripted("o-" + i, "llm", ""));
                    requests.flush();
                    TimeUnit.MILLISECONDS.sleep(50);
                }
                final long westDuring = west.calls() - westBefore;
                awaitAnswered(counter, DRAINED + OUTAGE_REQUESTS);
                counter.poll(Duration.ofMillis(500));

                assertThat(counter.duplicated()).as("exactly one terminal record each").isZero();
                assertThat(counter.outcome("SUCCEEDED")).as("every request answered, none dead-lettered")
                        .isEqualTo(DRAINED + OUTAGE_REQUESTS);
                for (int i = 0; i < OUTAGE_REQUESTS; i++) {
                    assertThat(counter.last("o" + i).path("servedBy").asText()).as("o" + i).isIn("llm/east", "llm/north");
                }
                final Instant opened = openedAt(kafka, topics, "llm/west");
                System.out.printf("pool: west called %d times during its outage; last call %d ms after its circuit opened%n", westDuring,
                        opened == null ? -1 : west.lastCallAtMs() - opened.toEpochMilli());
                assertThat(opened).as("west's own circuit opened on agent-circuits").isNotNull();
                assertThat(openedAt(kafka, topics, "llm")).as("the pool's circuit stays closed").isNull();
                assertThat(westDuring).as("west's calls: its threshold plus what the propagation lets through")
                        .isGreaterThanOrEqualTo(THRESHOLD).isLessThanOrEqualTo(THRESHOLD + PROPAGATION_ALLOWANCE);
                assertThat(west.lastCallAtMs() - opened.toEpochMilli()).as("west's calls stop once its circuit is open")
                        .isLessThan(2_000);
                assertThat(sims.get("north").calls()).as("north takes calls again").isGreaterThan(OUTAGE_REQUESTS / 5);
            }
        } finally {
            sims.values().forEach(Simulator::close);
        }
    }

    private static String yaml(final String bootstrap, final String prefix, final Path state, final Map<String, Simulator> sims) {
        final StringBuilder b = new StringBuilder(IntegrationConfig.header(bootstrap, prefix, state)
                .replace("topics:", "  consumer.session.timeout.ms: \"6000\"\n  consumer.heartbeat.interval.ms: \"1000\"\ntopics:"));
        b.append("""
                targets:
                  llm:
                    balance: weighted
                    timeout: 5s
                    retry: { maxAttempts: 3, initialDelay: 300ms, multiplier: 2.0, maxDelay: 2s, jitter: none, adaptive: { enabled: false } }
                    budget: { ratio: 1.0, minRetriesPerSecond: 100 }
                    circuit: { consecutiveFailures: %d, minCalls: 1000, openFor: 60s }
                    endpoints:
                """.formatted(THRESHOLD));
        final Map<String, Integer> weights = Map.of("east", 3, "west", 1, "north", 1);
        sims.forEach((e, s) -> b.append("      - { name: ").append(e).append(", url: \"").append(s.url("/v1/chat"))
                .append("\", weight: ").append(weights.get(e)).append(" }\n"));
        return b.toString();
    }

    /** Whether {@code target} is disabled in this instance's global control store. */
    private static boolean disabled(final ReboundStreams r, final String target) {
        try {
            final ControlRecord c = r.streams().store(StoreQueryParameters.fromNameAndType(StoreNames.CONTROL,
                    QueryableStoreTypes.<String, ControlRecord>keyValueStore())).get(target);
            return c != null && c.disabled();
        } catch (final InvalidStateStoreException notYet) {
            return false;
        }
    }

    private static void awaitAnswered(final TerminalCounter counter, final int n) {
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            counter.poll(Duration.ofMillis(200));
            return counter.terminalKeys() >= n;
        });
    }

    /** When {@code target}'s circuit first opened, by its records on {@code agent-circuits}; null if it never did. */
    private static Instant openedAt(final TestBroker kafka, final Topics topics, final String target) {
        for (final ConsumerRecord<String, byte[]> r : TopicSnapshot.read(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers()), topics.circuits(), Duration.ofSeconds(30))) {
            final JsonNode v = Json.read(r.value(), JsonNode.class);
            if (target.equals(r.key()) && "OPEN".equals(v.path("state").asText())) {
                return Instant.parse(v.path("since").asText());
            }
        }
        return null;
    }

}
