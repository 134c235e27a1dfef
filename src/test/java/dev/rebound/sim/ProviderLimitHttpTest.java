package dev.rebound.sim;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rebound.request.Json;
import dev.rebound.time.Durations;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/** A simulator enforcing a provider's rate limit, seen by a plain HTTP client on loopback. */
class ProviderLimitHttpTest {

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private Simulator sim;

    @AfterEach
    void stop() {
        if (sim != null) {
            sim.close();
        }
    }

    private Simulator start(final ProviderLimit limit) throws IOException {
        sim = Simulator.start(0, SimScenario.fixedLatency(Duration.ZERO).withProviderLimit(limit), 1);
        return sim;
    }

    private HttpRequest post(final String body) {
        return HttpRequest.newBuilder(URI.create(sim.url("/v1/chat"))).timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private HttpResponse<String> call(final String body) throws Exception {
        return client.send(post(body), HttpResponse.BodyHandlers.ofString());
    }

    private static String header(final HttpResponse<?> r, final String name) {
        return r.headers().firstValue(name).orElse(null);
    }

    @Test
    void shouldAcceptFiveCallsAMinuteAndAnswerTheSixth429WithOpenAiHeadersAndBody() throws Exception {
        // given a provider limit of 5 a minute
        start(ProviderLimit.requestsPerMinute(5));

        // when 6 calls come at once
        final List<HttpResponse<String>> answers = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            answers.add(call("{}"));
        }

        // then 5 are answered with the remaining count going down, the sixth is refused
        for (int i = 0; i < 5; i++) {
            assertThat(answers.get(i).statusCode()).as("call %d", i + 1).isEqualTo(200);
            assertThat(header(answers.get(i), "x-ratelimit-limit-requests")).isEqualTo("5");
            assertThat(header(answers.get(i), "x-ratelimit-remaining-requests")).isEqualTo(Integer.toString(4 - i));
        }
        final HttpResponse<String> refused = answers.get(5);
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(Long.parseLong(header(refused, "Retry-After"))).isBetween(1L, 60L);
        assertThat(Long.parseLong(header(refused, "retry-after-ms"))).isBetween(1L, 60_000L);
        assertThat(header(refused, "x-ratelimit-remaining-requests")).isEqualTo("0");
        assertThat(Durations.parse(header(refused, "x-ratelimit-reset-requests"))).get()
                .satisfies(d -> assertThat(d).isPositive().isLessThanOrEqualTo(Duration.ofMinutes(1)));
        final JsonNode error = Json.MAPPER.readTree(refused.body()).path("error");
        assertThat(error.path("code").asText()).isEqualTo("rate_limit_exceeded");
        assertThat(error.path("type").asText()).isEqualTo("requests");
        assertThat(error.path("message").asText()).startsWith("Rate limit reached");

        // and the counters say so, in-process and on /stats
        final ProviderLimitStats stats = sim.providerLimitStats().orElseThrow();
        assertThat(stats.accepted()).isEqualTo(5);
        assertThat(stats.refused()).isEqualTo(1);
        assertThat(stats.maxAcceptedInWindow()).isEqualTo(5);
        final JsonNode onStats = Json.MAPPER.readTree(client.send(HttpRequest.newBuilder(URI.create(sim.url("/stats"))).build(),
                HttpResponse.BodyHandlers.ofString()).body()).path("providerLimit");
        assertThat(onStats.path("requestsPerMinute").asInt()).isEqualTo(5);
        assertThat(onStats.path("accepted").asLong()).isEqualTo(5);
        assertThat(onStats.path("refused").asLong()).isEqualTo(1);
        assertThat(onStats.path("acceptedPerMinute").get(0).asLong()).isEqualTo(5);
    }

    @Test
    void shouldKeepTheLimitWhenSwitchedToAnotherScenario() throws Exception {
        start(ProviderLimit.requestsPerMinute(1));
        assertThat(call("{}").statusCode()).isEqualTo(200);

        sim.switchTo(SimScenario.named("healthy"));

        assertThat(sim.scenario().providerLimit()).contains(ProviderLimit.requestsPerMinute(1));
        assertThat(sim.scenario().describe()).contains("at most 1 calls in any 60 s");
        assertThat(call("{}").statusCode()).isEqualTo(429);
    }

    @Test
    void shouldRefuseACallOverTheTokenLimitCountingMaxTokensAndTheBody() throws Exception {
        // given 100 tokens a minute; a 20-byte body asking for 80 tokens counts 80 + 20/4 = 85
        start(ProviderLimit.requestsPerMinute(10).withTokensPerMinute(100));
        final String body = "{\"max_tokens\":80}   ";
        assertThat(body).hasSize(20);

        final HttpResponse<String> first = call(body);
        final HttpResponse<String> second = call(body);

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(header(first, "x-ratelimit-remaining-tokens")).isEqualTo("15");
        assertThat(second.statusCode()).isEqualTo(429);
        assertThat(Json.MAPPER.readTree(second.body()).path("error").path("type").asText()).isEqualTo("tokens");
        assertThat(header(second, "x-ratelimit-remaining-requests")).as("the request limit had room").isEqualTo("9");
        assertThat(sim.providerLimitStats().orElseThrow().maxTokensInWindow()).hasValue(85);
    }

    @Test
    void shouldAcceptExactlyTheLimitWhenManyClientsCallAtOnce() throws Exception {
        // given a limit of 50 a minute and 400 calls sent concurrently, on many connections
        start(ProviderLimit.requestsPerMinute(50));
        final long began = System.nanoTime();
        final List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            sent.add(client.sendAsync(post("{}"), HttpResponse.BodyHandlers.ofString()));
        }

        // when all are answered
        int ok = 0;
        int limited = 0;
        for (final CompletableFuture<HttpResponse<String>> f : sent) {
            final int status = f.get().statusCode();
            ok += status == 200 ? 1 : 0;
            limited += status == 429 ? 1 : 0;
        }

        // then, all within one window, exactly 50 got through and every other call was told 429
        assertThat(Duration.ofNanos(System.nanoTime() - began)).as("the run must fit in one window").isLessThan(Duration.ofSeconds(50));
        assertThat(ok).isEqualTo(50);
        assertThat(limited).isEqualTo(350);
        final ProviderLimitStats stats = sim.providerLimitStats().orElseThrow();
        assertThat(stats.accepted()).isEqualTo(50);
        assertThat(stats.refused()).isEqualTo(350);
        assertThat(stats.maxAcceptedInWindow()).isEqualTo(50);
        assertThat(sim.calls()).isEqualTo(400);
    }

    @Test
    void shouldAddNoLimitHeadersWithoutALimit() throws Exception {
        sim = Simulator.start(0, SimScenario.fixedLatency(Duration.ZERO), 1);

        final HttpResponse<String> r = call("{}");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("x-ratelimit-limit-requests")).isEmpty();
        assertThat(sim.providerLimitStats()).isEmpty();
    }
}
