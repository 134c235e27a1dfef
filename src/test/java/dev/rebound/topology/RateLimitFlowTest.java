package dev.rebound.topology;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rebound.execute.CallSpec;
import dev.rebound.lifecycle.CallOutcome;
import dev.rebound.request.Json;
import dev.rebound.testkit.Ttd;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import dev.rebound.classify.Classification;
import dev.rebound.classify.ErrorCategory;
import dev.rebound.ratelimit.ProviderWord;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Cluster-wide rate limits (DESIGN §5, §7) on the real topology: a request over the limit waits
 * (costing no call) and starts in priority order when quota comes from the target's owner, through
 * the outcomes topic and the quota topic's global store; one whose deadline comes first is
 * dead-lettered saying it waited for the rate limit.
 */
class RateLimitFlowTest {

    private static final String YAML = """
            kafka: { application.id: ratelimit-test }
            targets:
              llm:
                url: http://127.0.0.1:1/llm
                rateLimit: { requestsPerMinute: 60 }
                circuit: { enabled: false }
              other:
                url: http://127.0.0.1:1/other
            """;

    @TempDir
    Path stateDir;

    private final List<String> called = new CopyOnWriteArrayList<>();
    private Ttd ttd;

    private Ttd start() {
        ttd = new Ttd(YAML, t -> spec -> answer(spec), stateDir, 3);
        return ttd;
    }

    /** The test's wall clock, advanced by {@link #run}: when each call started. */
    private long clockMs;
    private final List<Long> calledAtMs = new CopyOnWriteArrayList<>();
    /** Answers the first call with this status and these headers, when set. */
    private int firstStatus;
    private Map<String, List<String>> firstHeaders = Map.of();

    private CompletableFuture<CallOutcome> answer(final CallSpec spec) {
        called.add(spec.requestId());
        calledAtMs.add(clockMs);
        if (firstStatus != 0 && called.size() == 1) {
            final Instant now = Ttd.START.plusMillis(clockMs);
            return CompletableFuture.completedFuture(new CallOutcome.Failed(new Classification(ErrorCategory.RATE_LIMITED, firstStatus,
                    "rate limited", Optional.empty()), now, 1, ProviderWord.from(firstStatus, firstHeaders, now)));
        }
        return CompletableFuture.completedFuture(new CallOutcome.Success(200, Json.MAPPER.createObjectNode().put("ok", spec.requestId()),
                Instant.now(), 1));
    }

    @AfterEach
    void stop() {
        if (ttd != null) {
            ttd.close();
        }
    }

    private static String request(final String id, final String target, final String priority, final String extra) {
        return "{\"id\":\"" + id + "\",\"target\":\"" + target + "\",\"payload\":{\"n\":1}"
                + (priority == null ? "" : ",\"priority\":\"" + priority + "\"") + extra + "}";
    }

    /** Advances the wall clock in drain-sized steps, so that every punctuator runs as often as it would. */
    private void run(final long ms) {
        for (long t = 0; t < ms; t += 5) {
            clockMs += 5;
            ttd.tick(5);
        }
    }

    @Test
    void shouldLetRequestsOverTheLimitWaitAndStartThemHighFirstAtTheLimitsPace() {
        start();
        for (int i = 0; i < 4; i++) {
            ttd.send("k" + i, request("low-" + i, "llm", "low", ""));
        }
        for (int i = 0; i < 3; i++) {
            ttd.send("k" + i, request("high-" + i, "llm", "high", ""));
        }
        ttd.send("k", request("plain", "llm", null, ""));
        ttd.send("o", request("unlimited", "other", "low", ""));
        assertThat(called).as("nothing calls the limited target before its owner grants; the other target is not held up")
                .containsExactly("unlimited");
        run(2_500);
        // 60 a minute is one a second: at most about 3 in 2.5 s, the high ones first
        assertThat(called.subList(1, called.size())).as("calls so far").hasSizeBetween(1, 4)
                .allMatch(id -> id.startsWith("high-"));
        run(12_000);
        assertThat(called).as("every request called once, in priority order, then arrival")
                .containsExactly("unlimited", "high-0", "high-1", "high-2", "plain", "low-0", "low-1", "low-2", "low-3");
        assertThat(Ttd.read(ttd.results)).hasSize(9);
        assertThat(Ttd.read(ttd.deadLetters)).isEmpty();
        assertThat(ttd.metrics.scrape()).contains("rebound_ratelimit_wait_seconds_count{priority=\"low\",target=\"llm\"} 4");
    }

    @Test
    void shouldHoldEveryCallBackUntilTheProvidersRetryAfterHasPassed() {
        firstStatus = 429;
        firstHeaders = Map.of("retry-after", List.of("4"), "x-ratelimit-remaining-requests", List.of("0"));
        start();
        for (int i = 0; i < 4; i++) {
            ttd.send("k" + i, request("r-" + i, "llm", null, ""));
        }
        run(10_000);
        assertThat(called).as("the 429's request is retried; every request is called").contains("r-0", "r-1", "r-2", "r-3");
        // at 60 a minute the second call would start about a second after the first; the provider asked for four
        assertThat(calledAtMs.get(1) - calledAtMs.get(0)).as("ms between the 429 and the next call").isGreaterThanOrEqualTo(4_000);
        assertThat(Ttd.read(ttd.results)).hasSize(4);
    }

    @Test
    void shouldDeadLetterARequestWhoseDeadlineCameWhileItWaitedForTheLimitSayingSo() {
        start();
        for (int i = 0; i < 5; i++) {
            ttd.send("k" + i, request("r-" + i, "llm", null, ""));
        }
        ttd.send("k", request("hurried", "llm", "low", ",\"timeoutMs\":2000"));
        run(4_000);
        final List<JsonNode> dead = Ttd.read(ttd.deadLetters);
        assertThat(dead).hasSize(1);
        assertThat(dead.get(0).path("id").asText()).isEqualTo("hurried");
        assertThat(dead.get(0).path("reason").asText()).isEqualTo("DEADLINE_EXCEEDED");
        assertThat(dead.get(0).path("message").asText())
                .contains("waiting for the rate limit of llm (requestsPerMinute 60) since").contains("(2s)");
        assertThat(called).doesNotContain("hurried");
    }
}
