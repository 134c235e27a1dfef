package dev.rebound.execute;

import dev.rebound.lifecycle.CallOutcome;

import com.sun.net.httpserver.HttpServer;
import dev.rebound.classify.ErrorCategory;
import dev.rebound.classify.ErrorClassifier;
import dev.rebound.config.ConfigException;
import dev.rebound.config.ConfigLoader;
import dev.rebound.config.ReboundConfig;
import dev.rebound.config.Redactor;
import dev.rebound.config.TargetConfig;
import dev.rebound.sim.SimScenario;
import dev.rebound.sim.Simulator;
import dev.rebound.testkit.Configs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The real HTTP executor against the real simulated endpoint on loopback. */
class HttpTargetExecutorTest {

    private Simulator sim;
    private HttpTargetExecutor executor;

    @BeforeEach
    void start() throws IOException {
        sim = Simulator.start(0, SimScenario.named("healthy"), 7);
        final ReboundConfig config = Configs.twoTargets("http://127.0.0.1:" + sim.port());
        final Redactor redactor = new Redactor(config.secrets());
        executor = new HttpTargetExecutor(config.target("llm").orElseThrow(), HttpTargetExecutor.defaultClient(),
                new ErrorClassifier(List.of(), redactor), redactor, 1 << 16, Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        sim.close();
    }

    private CallOutcome call(final String id, final int attempt, final String payload, final Duration timeout) throws Exception {
        return executor.call(new CallSpec(id, "llm", attempt, payload.getBytes(StandardCharsets.UTF_8), timeout))
                .get(30, TimeUnit.SECONDS);
    }

    @Test
    void shouldReturnTheJsonBodyOfASuccess() throws Exception {
        final CallOutcome o = call("id-1", 3, "{\"messages\":[]}", Duration.ofSeconds(5));
        assertThat(o).isInstanceOf(CallOutcome.Success.class);
        final CallOutcome.Success s = (CallOutcome.Success) o;
        assertThat(s.status()).isEqualTo(200);
        assertThat(s.body().path("idempotencyKey").asText()).as("Idempotency-Key reached the target").isEqualTo("id-1");
        assertThat(s.body().path("attempt").asInt()).as("X-Rebound-Attempt reached the target").isEqualTo(3);
    }

    @Test
    void shouldClassifyA429WithItsRetryHint() throws Exception {
        final CallOutcome.Failed f = (CallOutcome.Failed) call("id-2", 1, "{\"simulate\":{\"status\":429}}", Duration.ofSeconds(5));
        assertThat(f.classification().category()).isEqualTo(ErrorCategory.RATE_LIMITED);
        assertThat(f.classification().httpStatus()).isEqualTo(429);
        assertThat(f.classification().retryAfter()).isPresent();
    }

    @Test
    void shouldClassifyAnOverloaded529() throws Exception {
        final CallOutcome.Failed f = (CallOutcome.Failed) call("id-3", 1, "{\"simulate\":{\"status\":529}}", Duration.ofSeconds(5));
        assertThat(f.classification().category()).isEqualTo(ErrorCategory.SERVER_ERROR);
        assertThat(f.classification().message()).isEqualTo("Overloaded");
    }

    @Test
    void shouldTimeOutAtTheGivenTimeout() throws Exception {
        final long t0 = System.nanoTime();
        final CallOutcome.Failed f = (CallOutcome.Failed) call("id-4", 1, "{\"simulate\":{\"hang\":true}}", Duration.ofMillis(300));
        assertThat(f.classification().category()).isEqualTo(ErrorCategory.TIMEOUT);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void shouldClassifyAResetConnectionAsNetwork() throws Exception {
        final CallOutcome.Failed f = (CallOutcome.Failed) call("id-5", 1, "{\"simulate\":{\"reset\":true}}", Duration.ofSeconds(5));
        assertThat(f.classification().category()).isEqualTo(ErrorCategory.NETWORK);
    }

    @Test
    void shouldClassifyARefusedConnectionAsNetwork() throws Exception {
        final int closedPort;
        try (var socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        final TargetConfig t = Configs.twoTargets("http://127.0.0.1:" + closedPort).target("llm").orElseThrow();
        final HttpTargetExecutor refused = new HttpTargetExecutor(t, HttpTargetExecutor.defaultClient(), ErrorClassifier.defaults(),
                s -> s, 1 << 16, Clock.systemUTC());
        final CallOutcome.Failed f = (CallOutcome.Failed) refused.call(new CallSpec("x", "llm", 1, "{}".getBytes(), Duration.ofSeconds(5)))
                .get(30, TimeUnit.SECONDS);
        assertThat(f.classification().category()).isEqualTo(ErrorCategory.NETWORK);
    }

    @Test
    void shouldSendConfiguredHeadersAndRedactThemFromResponses() throws Exception {
        final List<Map<String, List<String>>> seen = new CopyOnWriteArrayList<>();
        final HttpServer echo = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        echo.createContext("/v1/chat", ex -> {
            seen.add(Map.copyOf(ex.getRequestHeaders()));
            final byte[] body = ("{\"error\":{\"message\":\"bad key " + ex.getRequestHeaders().getFirst("Authorization") + "\"}}")
                    .getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(401, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        echo.start();
        try {
            final ReboundConfig config = Configs.twoTargets("http://127.0.0.1:" + echo.getAddress().getPort());
            final Redactor redactor = new Redactor(config.secrets());
            final HttpTargetExecutor e = new HttpTargetExecutor(config.target("llm").orElseThrow(), HttpTargetExecutor.defaultClient(),
                    new ErrorClassifier(List.of(), redactor), redactor, 1 << 16, Clock.systemUTC());
            final CallOutcome.Failed f = (CallOutcome.Failed) e.call(new CallSpec("h-1", "llm", 2, "{}".getBytes(), Duration.ofSeconds(5)))
                    .get(30, TimeUnit.SECONDS);
            assertThat(seen).hasSize(1);
            assertThat(seen.get(0).get("Authorization")).containsExactly("Bearer " + Configs.SECRET);
            assertThat(seen.get(0).get("Idempotency-key")).containsExactly("h-1");
            assertThat(seen.get(0).get("X-rebound-attempt")).containsExactly("2");
            assertThat(f.classification().category()).isEqualTo(ErrorCategory.AUTHENTICATION);
            assertThat(f.classification().message()).doesNotContain(Configs.SECRET).contains("***");
        } finally {
            echo.stop(0);
        }
    }

    @Test
    void shouldRejectAResponseOverTheSizeLimit() throws Exception {
        final ReboundConfig config = Configs.twoTargets("http://127.0.0.1:" + sim.port());
        final HttpTargetExecutor tiny = new HttpTargetExecutor(config.target("llm").orElseThrow(), HttpTargetExecutor.defaultClient(),
                ErrorClassifier.defaults(), s -> s, 10, Clock.systemUTC());
        final CallOutcome.Failed f = (CallOutcome.Failed) tiny.call(new CallSpec("big", "llm", 1, "{}".getBytes(), Duration.ofSeconds(5)))
                .get(30, TimeUnit.SECONDS);
        assertThat(f.classification().message()).contains("limits.maxResponseBytes");
    }

    @Test
    void shouldRefuseAHeaderTheHttpClientCannotSend() {
        final ReboundConfig config = new ConfigLoader(k -> null).parse("""
                targets:
                  t: { url: "http://127.0.0.1:1/x", headers: { Host: evil.example } }
                """);
        assertThatThrownBy(() -> new HttpTargetExecutor(config.target("t").orElseThrow(), HttpTargetExecutor.defaultClient(),
                ErrorClassifier.defaults(), s -> s, 100, Clock.systemUTC()))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("targets.t.headers.Host");
    }
}
