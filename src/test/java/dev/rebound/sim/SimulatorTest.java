package dev.rebound.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.rebound.config.Limits;
import dev.rebound.request.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The simulated endpoint's misbehaviours, seen by a plain HTTP client on loopback. */
class SimulatorTest {

    private static final int OVERSIZED = 300_000;
    private Simulator sim;
    private HttpClient client;

    @BeforeEach
    void start() throws IOException {
        sim = Simulator.start(0, SimScenario.named("healthy").withOversizedBytes(OVERSIZED), 3);
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterEach
    void stop() {
        sim.close();
    }

    private HttpRequest post(final String script, final Duration timeout) {
        return HttpRequest.newBuilder(URI.create(sim.url("/v1/chat"))).timeout(timeout)
                .header("Idempotency-Key", "k-1")
                .header("anthropic-version", "2023-06-01")
                .header("Authorization", "Bearer sk-sim-secret-42")
                .POST(HttpRequest.BodyPublishers.ofString("{\"simulate\":" + script + "}")).build();
    }

    private HttpResponse<byte[]> call(final String script) throws Exception {
        return client.send(post(script, Duration.ofSeconds(5)), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void shouldServeWithNaglesAlgorithmOffSoAnAnswerIsNotHeldBackForTheClientsDelayedAck() {
        // the JDK server reads the property once, when the first server of the process is made
        assertThat(System.getProperty("sun.net.httpserver.nodelay")).isEqualTo("true");
    }

    @Test
    void shouldSendHeadersAndThenStallTheBodyWithALengthAndChunked() throws Exception {
        for (int i = 0; i < 2; i++) {
            final HttpResponse<InputStream> r = client.send(post("{\"stallBody\":true}", Duration.ofSeconds(5)),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertThat(r.statusCode()).isEqualTo(200);
            final InputStream body = r.body();
            final CompletableFuture<byte[]> rest = CompletableFuture.supplyAsync(() -> {
                try {
                    return body.readAllBytes();
                } catch (final IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThatThrownBy(() -> rest.get(1, TimeUnit.SECONDS)).as("the body never ends")
                    .isInstanceOf(TimeoutException.class);
            body.close();
        }
        assertThat(sim.misbehaved()).containsEntry("stallBody", 2L);
        assertThat(sim.heldOpen()).isEqualTo(2);
    }

    @Test
    void shouldNeverSendHeadersWhenAsked() {
        assertThatThrownBy(() -> client.send(post("{\"headersNever\":true}", Duration.ofMillis(500)), HttpResponse.BodyHandlers.ofByteArray()))
                .isInstanceOf(HttpTimeoutException.class);
        assertThat(sim.heldOpen()).isEqualTo(1);
    }

    @Test
    void shouldAnswerAValidJsonBodyOfTheConfiguredSize() throws Exception {
        final HttpResponse<byte[]> r = call("{\"oversized\":true}");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).hasSize(OVERSIZED);
        assertThat(Json.MAPPER.readTree(r.body()).path("choices").path(0).path("message").path("content").asText()).hasSizeGreaterThan(OVERSIZED - 200);
    }

    @Test
    void shouldAnswerABodyUnderTheResponseLimitThatEscapesToOverAKafkaRecord() throws Exception {
        final HttpResponse<byte[]> r = call("{\"oversizedEscaped\":true}");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body().length).as("small enough to be accepted as a response").isLessThan(Limits.DEFAULT.maxResponseBytes());
        final String asJsonString = Json.text(TextNode.valueOf(new String(r.body(), StandardCharsets.UTF_8)));
        assertThat(asJsonString.length()).as("written into a record as text").isBetween(1 << 20, (1 << 20) + (128 << 10));
        assertThatThrownBy(() -> Json.MAPPER.readTree(r.body())).as("raw control characters are not JSON").isInstanceOf(IOException.class);
    }

    @Test
    void shouldAnswerABodyThatIsNotJson() throws Exception {
        final HttpResponse<byte[]> r = call("{\"invalidJson\":true}");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
        assertThatThrownBy(() -> Json.MAPPER.readTree(r.body())).isInstanceOf(IOException.class);
    }

    @Test
    void shouldCloseTheConnectionMidBody() {
        assertThatThrownBy(() -> call("{\"resetMidBody\":true}")).isInstanceOf(IOException.class);
        assertThat(sim.misbehaved()).containsEntry("resetMidBody", 1L);
    }

    @Test
    void shouldMisbehaveOnlyForTheFirstAttemptsWithFailTimes() throws Exception {
        final HttpRequest second = HttpRequest.newBuilder(URI.create(sim.url("/v1/chat"))).timeout(Duration.ofSeconds(5))
                .header("X-Rebound-Attempt", "2").POST(HttpRequest.BodyPublishers.ofString("{\"simulate\":{\"resetMidBody\":true,\"failTimes\":1}}"))
                .build();
        assertThat(client.send(second, HttpResponse.BodyHandlers.ofByteArray()).statusCode()).isEqualTo(200);
    }

    @Test
    void shouldKeepAnsweringWhileManyExchangesAreStalled() throws Exception {
        final List<CompletableFuture<HttpResponse<byte[]>>> stalled = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            stalled.add(client.sendAsync(post(i % 2 == 0 ? "{\"stallBody\":true}" : "{\"headersNever\":true}", Duration.ofSeconds(30)),
                    HttpResponse.BodyHandlers.ofByteArray()));
        }
        final long t0 = System.nanoTime();
        for (int i = 0; i < 10; i++) {
            assertThat(call("{}").statusCode()).isEqualTo(200);
        }
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("ten calls beside 40 stalled ones").isLessThan(Duration.ofSeconds(5));
        assertThat(stalled).noneMatch(CompletableFuture::isDone);
        sim.close();
        assertThat(sim.heldOpen()).as("closing the simulator releases every held exchange").isZero();
    }

    @Test
    void shouldEchoTheChosenRequestHeadersIntoAnswersAndErrors() throws Exception {
        final JsonNode ok = Json.MAPPER.readTree(call("{\"echo\":[\"anthropic-version\"]}").body());
        assertThat(ok.path("choices").path(0).path("message").path("content").asText()).contains("anthropic-version: 2023-06-01");
        assertThat(ok.path("echo").path("anthropic-version").asText()).isEqualTo("2023-06-01");
        assertThat(ok.path("idempotencyKey").asText()).isEqualTo("k-1");

        final HttpResponse<byte[]> denied = call("{\"status\":401,\"echo\":[\"Authorization\"]}");
        assertThat(denied.statusCode()).isEqualTo(401);
        assertThat(Json.MAPPER.readTree(denied.body()).path("error").path("message").asText())
                .isEqualTo("Incorrect API key provided. (Authorization: Bearer sk-sim-secret-42)");
    }

    @Test
    void shouldDrawEveryMisbehaviourOfTheChaosScenarioAtItsShare() {
        final SimScenario chaos = SimScenario.named("chaos");
        final SplittableRandom random = new SplittableRandom(11);
        final Map<Misbehaviour, Integer> seen = new EnumMap<>(Misbehaviour.class);
        final int draws = 100_000;
        for (int i = 0; i < draws; i++) {
            SimFate.drawn(chaos, false, random).misbehaviour().ifPresent(m -> seen.merge(m, 1, Integer::sum));
        }
        for (final Misbehaviour m : Misbehaviour.values()) {
            assertThat(seen.getOrDefault(m, 0) / (double) draws).as(m.scriptName()).isCloseTo(chaos.share(m), within(0.003));
            assertThat(chaos.share(m)).as(m.scriptName()).isPositive();
        }
        assertThat(chaos.serverError()).as("flaky's failures too").isEqualTo(SimScenario.named("flaky").serverError());
    }

    @Test
    void shouldRejectSharesOverOne() {
        assertThatThrownBy(() -> new SimScenario("x", Duration.ZERO, Duration.ZERO, 0.5, 0, 0, 0, 0, 0, Duration.ZERO, Duration.ZERO,
                Map.of(Misbehaviour.STALL_BODY, 0.6), SimScenario.DEFAULT_OVERSIZED_BYTES, Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("over 1");
    }

    @Test
    void shouldDescribeTheChaosScenario() {
        assertThat(SimScenario.named("chaos").describe()).contains("503 10.0%", "stallBody 2.0%", "resetMidBody 2.0%");
    }

    @Test
    void shouldSwitchToAnotherScenarioWhileRunningWhenAskedOverHttp() throws Exception {
        // given a healthy simulator that answers
        assertThat(call("null").statusCode()).as("no script: the scenario decides").isEqualTo(200);

        // when switched to an outage over HTTP
        final HttpResponse<String> switched = scenario("POST", "{\"scenario\":\"outage\"}");

        // then it says so, every unscripted call gets 503 and /health is down, until switched back
        assertThat(switched.statusCode()).isEqualTo(200);
        assertThat(Json.MAPPER.readTree(switched.body()).path("scenario").asText()).isEqualTo("outage");
        assertThat(call("null").statusCode()).isEqualTo(503);
        assertThat(sim.inOutage()).isTrue();
        assertThat(Json.MAPPER.readTree(scenario("GET", null).body()).path("perCall").asText()).contains("outage");
        assertThat(scenario("POST", "{\"scenario\":\"healthy\"}").statusCode()).isEqualTo(200);
        assertThat(call("null").statusCode()).isEqualTo(200);
    }

    @Test
    void shouldRefuseAnUnknownScenarioNamingTheChoices() throws Exception {
        final HttpResponse<String> r = scenario("POST", "{\"scenario\":\"sunny\"}");

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("'sunny'", "healthy", "outage");
        assertThat(sim.scenario().name()).isEqualTo("healthy");
    }

    private HttpResponse<String> scenario(final String method, final String body) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(sim.url("/scenario"))).timeout(Duration.ofSeconds(5))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
