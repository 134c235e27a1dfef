package dev.rebound.execute;

import dev.rebound.classify.ErrorCategory;
import dev.rebound.classify.ErrorClassifier;
import dev.rebound.config.ConfigLoader;
import dev.rebound.config.ReboundConfig;
import dev.rebound.config.RecoveryPolicy;
import dev.rebound.lifecycle.CallOutcome;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The executor and the health checker against targets that misbehave at the socket level (a raw
 * server on loopback): every call ends within its timeout, body included, and never holds more of
 * an answer than the limit.
 */
class MisbehavingTargetTest {

    /** What the raw server does after reading a request's head. */
    private interface Behaviour {
        void answer(OutputStream out, Socket socket) throws IOException, InterruptedException;
    }

    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private ServerSocket server;

    private int serve(final Behaviour behaviour) throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        final Thread t = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    final Socket s = server.accept();
                    open.add(s);
                    new Thread(() -> {
                        try {
                            readHead(s.getInputStream());
                            behaviour.answer(s.getOutputStream(), s);
                        } catch (final IOException | InterruptedException ignored) {
                            // the client went away: that is what these tests provoke
                        }
                    }).start();
                } catch (final IOException closed) {
                    return;
                }
            }
        });
        t.setDaemon(true);
        t.start();
        return server.getLocalPort();
    }

    private static void readHead(final InputStream in) throws IOException {
        int matched = 0;
        final byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < 4) {
            final int b = in.read();
            if (b < 0) {
                return;
            }
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        // a request body follows (Content-Length); these servers answer without reading it, as a misbehaving one would
    }

    @AfterEach
    void stop() throws IOException {
        if (server != null) {
            server.close();
        }
        for (final Socket s : open) {
            s.close();
        }
    }

    private static final byte[] HEAD_200 = ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"partial\":")
            .getBytes(StandardCharsets.US_ASCII);

    private HttpTargetExecutor executor(final int port, final int maxResponseBytes) {
        final ReboundConfig config = new ConfigLoader(k -> null).parse("""
                targets:
                  t:
                    url: http://127.0.0.1:%d/v1
                    timeout: 1s
                """.formatted(port));
        return new HttpTargetExecutor(config.target("t").orElseThrow(), HttpTargetExecutor.defaultClient(), ErrorClassifier.defaults(),
                UnaryOperator.identity(), maxResponseBytes, Clock.systemUTC());
    }

    private static CallOutcome call(final HttpTargetExecutor executor, final Duration timeout) throws Exception {
        final long t0 = System.nanoTime();
        final CallOutcome o = executor.call(new CallSpec("id", "t", 1, "{}".getBytes(StandardCharsets.UTF_8), timeout))
                .get(30, TimeUnit.SECONDS);
        final long ms = (System.nanoTime() - t0) / 1_000_000;
        // generous against a busy machine, but far from "never"
        assertThat(ms).as("the call ended within its timeout plus slack").isLessThan(timeout.toMillis() + 5_000);
        return o;
    }

    private static ErrorCategory category(final CallOutcome o) {
        assertThat(o).isInstanceOf(CallOutcome.Failed.class);
        return ((CallOutcome.Failed) o).classification().category();
    }

    @Test
    void shouldEndACallWhoseBodyStallsAfterTheHeaders() throws Exception {
        final int port = serve((out, s) -> {
            out.write(HEAD_200);
            out.flush();
            Thread.sleep(60_000);
        });
        final CallOutcome o = call(executor(port, 1 << 20), Duration.ofMillis(800));
        assertThat(category(o)).isEqualTo(ErrorCategory.TIMEOUT);
        assertThat(((CallOutcome.Failed) o).classification().message()).contains("body stalled");
    }

    @Test
    void shouldEndACallWhoseHeadersNeverCome() throws Exception {
        final int port = serve((out, s) -> Thread.sleep(60_000));
        assertThat(category(call(executor(port, 1 << 20), Duration.ofMillis(800)))).isEqualTo(ErrorCategory.TIMEOUT);
    }

    @Test
    void shouldStopReadingAnEndlessAnswerAtTheLimit() throws Exception {
        final int port = serve((out, s) -> {
            out.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            final byte[] chunk = ("4000\r\n" + "x".repeat(0x4000) + "\r\n").getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < 100_000; i++) { // 1.6 GB if anyone read it all
                out.write(chunk);
            }
        });
        final CallOutcome o = call(executor(port, 256 * 1024), Duration.ofSeconds(20));
        assertThat(category(o)).isEqualTo(ErrorCategory.RESPONSE_TOO_LARGE);
        assertThat(((CallOutcome.Failed) o).classification().retryable()).isFalse();
    }

    @Test
    void shouldClassifyAConnectionResetMidBodyAsANetworkFailure() throws Exception {
        final int port = serve((out, s) -> {
            out.write(HEAD_200);
            out.flush();
            s.setSoLinger(true, 0);
            s.close();
        });
        assertThat(category(call(executor(port, 1 << 20), Duration.ofSeconds(5)))).isIn(ErrorCategory.NETWORK, ErrorCategory.TIMEOUT);
    }

    @Test
    void shouldAnswerATwoHundredThatIsNotJsonAsText() throws Exception {
        final int port = serve((out, s) -> {
            out.write("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nnot json!".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        });
        final CallOutcome o = call(executor(port, 1 << 20), Duration.ofSeconds(5));
        assertThat(o).isInstanceOf(CallOutcome.Success.class);
        assertThat(((CallOutcome.Success) o).body().asText()).isEqualTo("not json!");
    }

    @Test
    void shouldFailAHealthCheckWhoseBodyStallsWithinItsTimeout() throws Exception {
        final int port = serve((out, s) -> {
            out.write(HEAD_200);
            out.flush();
            Thread.sleep(60_000);
        });
        final ReboundConfig config = new ConfigLoader(k -> null).parse("""
                targets:
                  t:
                    url: http://127.0.0.1:%d/v1
                    recovery: { healthUrl: "http://127.0.0.1:%d/health", timeout: 700ms }
                """.formatted(port, port));
        final RecoveryPolicy policy = config.target("t").orElseThrow().recovery().orElseThrow();
        final HealthChecker checker = new HealthChecker(name -> executor(port, 1024), HttpTargetExecutor::defaultClient);
        final long t0 = System.nanoTime();
        final CompletableFuture<HealthChecker.Result> r = checker.check(config.target("t").orElseThrow(), policy);
        final HealthChecker.Result result = r.get(30, TimeUnit.SECONDS);
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(5_700);
        assertThat(result.passed()).isFalse();
    }

    @Test
    void shouldGiveEveryProbeItsOwnIdempotencyKey() throws Exception {
        final List<String> keys = new CopyOnWriteArrayList<>();
        final ReboundConfig config = new ConfigLoader(k -> null).parse("""
                targets:
                  t:
                    url: http://127.0.0.1:1/v1
                    recovery: { probe: { ping: true } }
                """);
        final HealthChecker checker = new HealthChecker(name -> spec -> {
            keys.add(spec.requestId());
            return CompletableFuture.completedFuture(new CallOutcome.Success(200, null, Instant.now(), 1));
        }, HttpTargetExecutor::defaultClient);
        for (int i = 0; i < 3; i++) {
            checker.check(config.target("t").orElseThrow(), config.target("t").orElseThrow().recovery().orElseThrow()).get();
        }
        assertThat(keys).hasSize(3).doesNotHaveDuplicates().allSatisfy(k -> assertThat(k).startsWith(HealthChecker.PROBE_ID));
    }
}
