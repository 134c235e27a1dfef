package dev.rebound.bench;

import dev.rebound.app.ReboundStreams;
import dev.rebound.config.ReboundConfig;
import dev.rebound.execute.HttpTargetExecutor;
import dev.rebound.execute.TargetPool;
import dev.rebound.metrics.ReboundMetrics;
import dev.rebound.sim.SimScenario;
import dev.rebound.sim.Simulator;
import dev.rebound.topology.Topics;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code concurrency}: an HTTP target on loopback answering in 50 ms, one instance, one stream
 * thread, {@code maxInFlight: 64}, Rebound's default configuration otherwise: how close Rebound
 * gets to Little's bound (64 / 0.05 s = 1280 calls/s), and how that compares with a processor that
 * calls synchronously, the way a naive Kafka Streams application does. Measured by {@link Rounds}:
 * warm-up, alternating rounds, medians, CPU per request. The synchronous side does a few dozen
 * requests a second, so its CPU per request carries much more of the process's idle work (broker,
 * paused applications, simulator) than Rebound's does: read it as an upper bound. The third
 * comparison, {@link HttpOnly}, is the ceiling this machine's HTTP stack allows without Kafka.
 */
final class Concurrency implements Scenario {

    /** Requests in the first warm-up round of each side; the later rounds are sized by {@link Rounds}. */
    static final int WARM_UP = 2_000;
    static final int SYNC_WARM_UP = 30;
    static final int IN_FLIGHT = 64;
    static final Duration LATENCY = Duration.ofMillis(50);
    /** Calls a round of the HTTP-only comparison: about 4 s at the HTTP stack's pace here. */
    static final int HTTP_ONLY_CALLS = 5_000;

    @Override
    public String name() {
        return "concurrency";
    }

    @Override
    public String setup() {
        return "warm-up, " + Rounds.MEASURED + " rounds of ~" + Rounds.ROUND.toSeconds() + " s per side, HTTP target with 50 ms latency, "
                + "1 thread, maxInFlight 64; vs a synchronous caller and vs the same calls without Kafka";
    }

    @Override
    public Map<String, Object> run(final BenchContext ctx) throws Exception {
        try (Simulator sim = Simulator.start(0, SimScenario.fixedLatency(LATENCY), 4)) {
            final String prefix = ctx.freshTopics(3);
            final ReboundConfig config = config(sim, ctx.header(prefix, "num.stream.threads: \"1\""));
            final TargetPool pool = TargetPool.http(config, HttpTargetExecutor.defaultClient(), Clock.systemUTC());
            try (Side rebound = rebound(ctx, config, prefix, pool); Side sync = sync(ctx, sim)) {
                return figures(Rounds.run(ctx, List.of(rebound, sync)), rebound, sync,
                        // both sides paused now: the HTTP stack alone, through Rebound's own client, its
                        // connections and slots (idle while it is paused), with the JIT as warm as the rounds left it
                        HttpOnly.perSec(ctx, pool, "llm", HTTP_ONLY_CALLS));
            }
        }
    }

    private static Map<String, Object> figures(final Map<Side, Side.Round> m, final Side rebound, final Side sync, final double httpOnly) {
        final Side.Round r = m.get(rebound);
        final Side.Round s = m.get(sync);
        final double bound = IN_FLIGHT / (LATENCY.toMillis() / 1000.0);
        final Map<String, Object> f = new LinkedHashMap<>();
        f.put("perSec", Math.round(r.perSec()));
        f.put("littleBoundPerSec", Math.round(bound));
        f.put("ratio", Bench.round(r.perSec() / bound, 3));
        f.put("syncPerSec", Bench.round(s.perSec(), 1));
        f.put("speedupOverSync", Bench.round(r.perSec() / s.perSec(), 1));
        f.put("httpOnlyPerSec", Math.round(httpOnly));
        f.put("ratioToHttpOnly", Bench.round(r.perSec() / httpOnly, 3));
        f.put("cpuMicrosPerRequest", Math.round(r.cpuMicrosPerRequest()));
        f.put("syncCpuMicrosPerRequest", Math.round(s.cpuMicrosPerRequest()));
        return f;
    }

    private static byte[] request(final String id) {
        return BenchContext.request(id, "llm", "", 600_000);
    }

    private Side rebound(final BenchContext ctx, final ReboundConfig config, final String prefix, final TargetPool pool) throws Exception {
        final Topics topics = BenchContext.topics(prefix);
        ctx.progress("starting rebound");
        final ReboundStreams rebound = ctx.start(config, pool, new ReboundMetrics());
        return new Side(ctx, "rebound", rebound.streams(), rebound, topics.calls(), List.of(topics.results(), topics.deadLetters()),
                Concurrency::request, WARM_UP);
    }

    /** Rebound's configuration for this scenario after {@code header}: the one target, 64 slots. */
    private static ReboundConfig config(final Simulator sim, final String header) {
        return BenchContext.parse(header + """
                targets:
                  llm: { url: "http://127.0.0.1:%d/v1/chat", maxInFlight: %d, timeout: 10s }
                """.formatted(sim.port(), IN_FLIGHT));
    }

    /** A plain Kafka Streams processor that blocks its stream thread on each HTTP call. */
    private Side sync(final BenchContext ctx, final Simulator sim) throws Exception {
        final String in = "sync-in-" + System.nanoTime();
        final String out = "sync-out-" + System.nanoTime();
        ctx.kafka.createTopics(List.of(new NewTopic(in, 3, (short) 1), new NewTopic(out, 3, (short) 1)));
        final HttpClient client = HttpClient.newHttpClient();
        final URI url = URI.create(sim.url("/v1/chat"));
        final StreamsBuilder b = new StreamsBuilder();
        b.stream(in, Consumed.with(Serdes.String(), Serdes.ByteArray())).mapValues(v -> {
            try {
                return client.send(HttpRequest.newBuilder(url).POST(HttpRequest.BodyPublishers.ofByteArray(v)).build(),
                        HttpResponse.BodyHandlers.ofByteArray()).body();
            } catch (final Exception e) {
                return new byte[0];
            }
        }).to(out, Produced.with(Serdes.String(), Serdes.ByteArray()));
        ctx.progress("starting synchronous");
        final KafkaStreams streams = ctx.startPlain(b.build(), "sync", 1);
        return new Side(ctx, "synchronous", streams, streams, in, List.of(out), Concurrency::request, SYNC_WARM_UP);
    }
}
