package dev.rebound.topology;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rebound.classify.Classification;
import dev.rebound.classify.ErrorCategory;
import dev.rebound.execute.CallSpec;
import dev.rebound.lifecycle.CallOutcome;
import dev.rebound.request.Json;
import dev.rebound.testkit.Ttd;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pools (DESIGN §5) on the real topology: requests name the pool, each call goes to one endpoint
 * by weight, an endpoint that fails has its own circuit open and the others take its share, a
 * retry goes to an endpoint the request has not tried, an operator can drain one endpoint, and the
 * pool refuses calls only when none of its endpoints admits them.
 */
class PoolFlowTest {

    private static final String YAML = """
            kafka: { application.id: pool-test }
            targets:
              llm:
                endpoints:
                  - { name: east, url: "http://127.0.0.1:1/east", weight: 3 }
                  - { name: west, url: "http://127.0.0.1:1/west" }
                  - { name: north, url: "http://127.0.0.1:1/north" }
                retry: { maxAttempts: 3, initialDelay: 1s, jitter: none, adaptive: { enabled: false } }
                budget: { ratio: 1.0, minRetriesPerSecond: 100 }
                circuit: { consecutiveFailures: 3, minCalls: 1000, openFor: 60s }
                fallback:
                  - { on: [CIRCUIT_OPEN], static: { busy: true } }
            """;

    @TempDir
    Path stateDir;

    private final List<String> called = new CopyOnWriteArrayList<>();
    private final Set<String> failing = ConcurrentHashMap.newKeySet();
    private Ttd ttd;

    private void start() {
        ttd = new Ttd(YAML, t -> spec -> answer(t.name(), spec), stateDir, 5);
    }

    private CompletableFuture<CallOutcome> answer(final String endpoint, final CallSpec spec) {
        called.add(endpoint);
        if (failing.contains(endpoint)) {
            return CompletableFuture.completedFuture(new CallOutcome.Failed(new Classification(ErrorCategory.SERVER_ERROR, 503, "down",
                    Optional.empty()), Instant.now(), 1));
        }
        return CompletableFuture.completedFuture(new CallOutcome.Success(200, Json.MAPPER.createObjectNode().put("from", endpoint),
                Instant.now(), 1));
    }

    @AfterEach
    void stop() {
        if (ttd != null) {
            ttd.close();
        }
    }

    private void send(final int from, final int n) {
        for (int i = from; i < from + n; i++) {
            ttd.send("k" + i, "{\"id\":\"r" + i + "\",\"target\":\"llm\",\"payload\":{}}");
            ttd.tick(5);
        }
    }

    private Map<String, Long> shares(final List<String> calls) {
        return calls.stream().collect(Collectors.groupingBy(c -> c, Collectors.counting()));
    }

    @Test
    void shouldSpreadCallsExactlyByWeightAndSayWhichEndpointServed() {
        start();
        send(0, 100);
        assertThat(shares(called)).containsExactlyInAnyOrderEntriesOf(Map.of("llm/east", 60L, "llm/west", 20L, "llm/north", 20L));
        final List<JsonNode> results = Ttd.read(ttd.results);
        assertThat(results).hasSize(100);
        assertThat(results.get(0).path("servedBy").asText()).startsWith("llm/");
        assertThat(results.get(0).path("target").asText()).isEqualTo("llm");
    }

    @Test
    void shouldRetryOnAnotherEndpointThenStopCallingTheOneWhoseCircuitOpenedAndShareItsPartByWeight() {
        failing.add("llm/east");
        start();
        send(0, 10);
        ttd.tick(1_100); // the retries' delay
        for (int i = 0; i < 30; i++) {
            ttd.tick(50);
        }
        final List<JsonNode> results = Ttd.read(ttd.results);
        assertThat(results).as("every request answered, by another endpoint when east failed").hasSize(10)
                .allSatisfy(r -> assertThat(r.path("servedBy").asText()).isNotEqualTo("llm/east"));
        assertThat(Ttd.read(ttd.circuits)).anySatisfy(c -> {
            assertThat(c.path("target").asText()).isEqualTo("llm/east");
            assertThat(c.path("state").asText()).isEqualTo("OPEN");
        });
        final long eastBefore = called.stream().filter("llm/east"::equals).count();
        assertThat(eastBefore).as("east's calls: its circuit opens after 3 failures in a row").isLessThanOrEqualTo(4);
        called.clear();
        send(10, 40);
        assertThat(shares(called)).as("east's share goes to the others, by their weights")
                .containsExactlyInAnyOrderEntriesOf(Map.of("llm/west", 20L, "llm/north", 20L));
        assertThat(Ttd.read(ttd.deadLetters)).isEmpty();
    }

    @Test
    void shouldDrainAnEndpointAnOperatorDisablesAndNothingElse() {
        start();
        ttd.control("llm/west", "{\"disabled\":true,\"reason\":\"key rotation\"}");
        send(0, 40);
        assertThat(shares(called)).containsOnlyKeys("llm/east", "llm/north").containsEntry("llm/east", 30L).containsEntry("llm/north", 10L);
        assertThat(Ttd.read(ttd.results)).hasSize(40);
    }

    @Test
    void shouldRefuseOnlyWhenNoEndpointAdmitsCallsSayingWhyForEach() {
        start();
        for (final String e : List.of("llm/east", "llm/west")) {
            ttd.control(e, "{\"disabled\":true,\"reason\":\"down\"}");
        }
        send(0, 1);
        assertThat(called).as("one endpoint left: it is called").containsExactly("llm/north");
        ttd.control("llm/north", "{\"disabled\":true,\"reason\":\"down\"}");
        send(1, 1);
        assertThat(called).hasSize(1);
        final List<JsonNode> results = Ttd.read(ttd.results);
        assertThat(results).hasSize(2);
        final JsonNode refused = results.get(1);
        assertThat(refused.path("outcome").asText()).isEqualTo("FALLBACK");
        assertThat(refused.path("lastError").path("message").asText()).contains("no endpoint of llm admits calls")
                .contains("llm/east is disabled by an operator: down").contains("llm/north is disabled by an operator: down");
    }

    @Test
    void shouldSpreadRequestsWaitingForRateLimitsOverEveryEndpointThatHasQuota() {
        ttd = new Ttd("""
                kafka: { application.id: pool-limits-test }
                targets:
                  llm:
                    endpoints:
                      - { name: east, url: "http://127.0.0.1:1/east", rateLimit: { requestsPerMinute: 60 } }
                      - { name: west, url: "http://127.0.0.1:1/west", rateLimit: { requestsPerMinute: 60 } }
                """, t -> spec -> answer(t.name(), spec), stateDir, 5);
        for (int i = 0; i < 8; i++) {
            ttd.send("k" + i, "{\"id\":\"r" + i + "\",\"target\":\"llm\",\"payload\":{}}");
        }
        for (int t = 0; t < 700; t++) {
            ttd.tick(5); // 3.5 s
        }
        // each endpoint grants about one a second: together about twice what one alone would, and both used
        assertThat(shares(called)).containsOnlyKeys("llm/east", "llm/west");
        assertThat(called.size()).as("calls in 3.5 s at two endpoints of 60/min").isBetween(5, 8);
        assertThat(Ttd.read(ttd.deadLetters)).isEmpty();
    }

    @Test
    void shouldRefuseARequestThatNamesOneEndpoint() {
        start();
        ttd.send("k", "{\"id\":\"direct\",\"target\":\"llm/east\",\"payload\":{}}");
        final List<JsonNode> dead = Ttd.read(ttd.deadLetters);
        assertThat(dead).hasSize(1);
        assertThat(dead.get(0).path("reason").asText()).isEqualTo("UNKNOWN_TARGET");
        assertThat(dead.get(0).path("message").asText()).contains("one endpoint of pool 'llm'");
        assertThat(called).isEmpty();
    }
}
