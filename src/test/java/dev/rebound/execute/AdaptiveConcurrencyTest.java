package dev.rebound.execute;

import dev.rebound.config.ReboundConfig;
import dev.rebound.sim.SimScenario;
import dev.rebound.sim.Simulator;
import dev.rebound.testkit.Configs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The purpose of {@code concurrency: auto}: a burst of {@value #BURST} requests against a target
 * that has just died costs a handful of calls in the few hundred ms the cluster's circuit needs to
 * open, not one per waiting request. Real HTTP executor, real dead targets on loopback: a closed
 * port (connection refused within a millisecond) and the simulator's {@code outage} (503 after
 * 5-30 ms); with a fixed {@code maxInFlight} the same burst for contrast.
 */
class AdaptiveConcurrencyTest {

    private static final int BURST = 200;
    private static final int MAX_IN_FLIGHT = 64;
    private static final Duration CIRCUIT_DECIDES = Duration.ofMillis(300);

    enum DeadTarget { CONNECTION_REFUSED, OUTAGE_503 }

    private Simulator sim;
    private int closedPort;

    @BeforeEach
    void start() throws IOException {
        sim = Simulator.start(0, SimScenario.named("outage"), 7);
        try (var socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
    }

    @AfterEach
    void stop() {
        sim.close();
    }

    private String url(final DeadTarget dead) {
        return "http://127.0.0.1:" + (dead == DeadTarget.CONNECTION_REFUSED ? closedPort : sim.port());
    }

    private static ReboundConfig config(final String url, final boolean adaptive) {
        return Configs.parse("""
                kafka:
                  application.id: rebound-test
                targets:
                  llm:
                    url: %s/v1/chat
                    timeout: 5s
                    maxInFlight: %d
                %s""".formatted(url, MAX_IN_FLIGHT, adaptive ? "    rateLimit: { concurrency: auto }\n" : ""));
    }

    /** The calls made to the dead target in the first {@link #CIRCUIT_DECIDES} after {@value #BURST} attempts arrive at once. */
    private record Burst(int calls, int limit, TargetSlots slots) {
    }

    private static Burst burst(final ReboundConfig config) throws InterruptedException {
        final TargetPool pool = TargetPool.http(config, HttpTargetExecutor.defaultClient(), Clock.systemUTC());
        final AtomicInteger calls = new AtomicInteger();
        final TargetExecutor http = pool.executor("llm");
        final TargetExecutor counting = spec -> {
            calls.incrementAndGet();
            return http.call(spec);
        };
        final CallDispatcher d = new CallDispatcher(t -> counting, pool::slots);
        final long t0 = System.nanoTime();
        for (int i = 0; i < BURST; i++) {
            d.submit(new CallSpec("r" + i, "llm", 1, "{\"messages\":[]}".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(30)));
        }
        // the stream thread drains and starts waiting attempts every few ms, as CallProcessor does
        while (System.nanoTime() - t0 < CIRCUIT_DECIDES.toNanos()) {
            d.drain(c -> { }, Integer.MAX_VALUE);
            d.startWaiting();
            TimeUnit.MILLISECONDS.sleep(5);
        }
        final Burst b = new Burst(calls.get(), pool.concurrencyLimit("llm"), pool.slots("llm"));
        d.close(); // the circuit opened: the rest would go to fallback or the delay path
        return b;
    }

    @ParameterizedTest
    @EnumSource(DeadTarget.class)
    void shouldCallADeadTargetAtMostTwentyTimesWhenABurstArrivesWithAnAdaptiveLimit(final DeadTarget dead) throws Exception {
        final Burst b = burst(config(url(dead), true));
        System.out.printf("adaptive, %s: %d calls in %d ms, limit %d%n", dead, b.calls(), CIRCUIT_DECIDES.toMillis(), b.limit());
        assertThat(b.calls()).as("calls to a dead target before its circuit can decide").isLessThanOrEqualTo(20);
        // the calls still out end (a loaded machine may hold a 503 past 300 ms) and cut the limit to its floor;
        // every permit comes back: a resting one finds the line closed
        await().atMost(Duration.ofSeconds(10)).until(() -> b.slots().limit() == 1 && b.slots().inFlight() == 0);
    }

    @ParameterizedTest
    @EnumSource(DeadTarget.class)
    void shouldCallADeadTargetOnceForEveryWaitingRequestWithAFixedMaxInFlight(final DeadTarget dead) throws Exception {
        final Burst b = burst(config(url(dead), false));
        System.out.printf("fixed maxInFlight %d, %s: %d calls in %d ms%n", MAX_IN_FLIGHT, dead, b.calls(), CIRCUIT_DECIDES.toMillis());
        assertThat(b.calls()).as("the contrast: a fixed limit keeps calling").isGreaterThanOrEqualTo(MAX_IN_FLIGHT);
        assertThat(b.limit()).isEqualTo(MAX_IN_FLIGHT);
        await().atMost(Duration.ofSeconds(10)).until(() -> b.slots().inFlight() == 0);
    }
}
