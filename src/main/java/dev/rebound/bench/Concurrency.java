package dev.rebound.bench;

import dev.rebound.config.ReboundConfig;
import dev.rebound.execute.HttpTargetExecutor;
import dev.rebound.execute.TargetPool;
import dev.rebound.ops.ReboundMetrics;
import dev.rebound.ops.SimScenario;
import dev.rebound.ops.Simulator;
import dev.rebound.topology.ReboundStreams;
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
 * thread, {@code maxInFlight: 64}: how close Rebound gets to Little's bound (64 / 0.05 s = 1280
 * calls/s), and how that compares with a processor that calls synchronously, the way a naive
 * Kafka Streams application does.
 */
final class Concurrency implements Scenario {

    static final int N = 6_000;
    static final int SYNC_N = 100;
    static final int IN_FLIGHT = 64;
    static final Duration LATENCY = Duration.ofMillis(50);

    @Override
    public String name() {
        return "concurrency";
    }

    @Override
    public String setup() {
        return N + " requests, HTTP target with 50 ms latency, 1 thread, maxInFlight 64; vs a synchronous caller";
    }

    @Override
    public Map<String, Object> run(final BenchContext ctx) throws Exception {
        try (Simulator sim = Simulator.start(0, SimScenario.fixedLatency(LATENCY), 4)) {
            final double perSec = rebound(ctx, sim);
            final double sync = sync(ctx, sim);
            final double bound = IN_FLIGHT / (LATENCY.toMillis() / 1000.0);
            final Map<String, Object> f = new LinkedHashMap<>();
            f.put("perSec", Math.round(perSec));
            f.put("littleBoundPerSec", Math.round(bound));
            f.put("ratio", Bench.round(perSec / bound, 3));
            f.put("syncPerSec", Bench.round(sync, 1));
            f.put("speedupOverSync", Bench.round(perSec / sync, 1));
            return f;
        }
    }

    private double rebound(final BenchContext ctx, final Simulator sim) throws Exception {
        final String prefix = ctx.freshTopics(3);
        final ReboundConfig config = BenchContext.parse(ctx.header(prefix, "num.stream.threads: \"1\"") + """
                targets:
                  llm: { url: "http://127.0.0.1:%d/v1/chat", maxInFlight: %d, timeout: 10s, circuit: { enabled: false } }
                """.formatted(sim.port(), IN_FLIGHT));
        final Topics topics = BenchContext.topics(prefix);
        try (ReboundStreams rebound = ctx.start(config, TargetPool.http(config, HttpTargetExecutor.defaultClient(), Clock.systemUTC()),
                new ReboundMetrics());
             OutputReader reader = new OutputReader(ctx.bootstrap(), List.of(topics.results(), topics.deadLetters()))) {
            return ctx.timed("rebound, " + sim.calls() + " calls", N, topics.calls(), reader,
                    i -> BenchContext.request("c" + i, "llm", "", 600_000));
        }
    }

    /** A plain Kafka Streams processor that blocks its stream thread on each HTTP call. */
    private double sync(final BenchContext ctx, final Simulator sim) throws Exception {
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
        try (KafkaStreams streams = ctx.startPlain(b.build(), "sync", 1);
             OutputReader reader = new OutputReader(ctx.bootstrap(), List.of(out))) {
            return ctx.timed("synchronous", SYNC_N, in, reader, i -> BenchContext.request("s" + i, "llm", "", 600_000));
        }
    }
}
