package dev.rebound.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rebound.config.ReboundConfig;
import dev.rebound.execute.CallOutcome;
import dev.rebound.execute.TargetExecutor;
import dev.rebound.execute.TargetPool;
import dev.rebound.ops.ReboundMetrics;
import dev.rebound.request.Json;
import dev.rebound.topology.ReboundStreams;
import dev.rebound.topology.StreamsSettings;
import dev.rebound.topology.Topics;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;

/**
 * {@code passthrough}: Rebound with an instant in-process target against a plain Kafka Streams
 * {@code mapValues} topology, both exactly-once, 3 partitions, on the same broker, the same
 * records: what Rebound's bookkeeping (validation, in-flight and dedup stores, terminal record)
 * costs per request.
 */
final class Passthrough implements Scenario {

    static final int N = 20_000;
    private static final JsonNode ANSWER = Json.MAPPER.createObjectNode().put("answer", "instant");

    @Override
    public String name() {
        return "passthrough";
    }

    @Override
    public String setup() {
        return N + " requests, instant in-process target, 3 partitions, EOS; vs plain mapValues";
    }

    /** A target that answers at once, without a network: the processor's own cost alone. */
    static TargetExecutor instant() {
        return spec -> CompletableFuture.completedFuture(new CallOutcome.Success(200, ANSWER, Instant.now(), 0));
    }

    @Override
    public Map<String, Object> run(final BenchContext ctx) throws Exception {
        final double rebound = rebound(ctx);
        final double plain = plain(ctx);
        final Map<String, Object> f = new LinkedHashMap<>();
        f.put("reboundPerSec", Math.round(rebound));
        f.put("plainPerSec", Math.round(plain));
        f.put("ratio", Bench.round(rebound / plain, 3));
        return f;
    }

    private double rebound(final BenchContext ctx) throws Exception {
        final String prefix = ctx.freshTopics(3);
        final ReboundConfig config = BenchContext.parse(ctx.header(prefix) + """
                targets:
                  echo: { url: "http://127.0.0.1:9/unused", maxInFlight: 10000, circuit: { enabled: false } }
                """);
        final Topics topics = BenchContext.topics(prefix);
        try (ReboundStreams rebound = ctx.start(config, TargetPool.of(config, t -> instant()), new ReboundMetrics());
             OutputReader reader = new OutputReader(ctx.bootstrap(), List.of(topics.results(), topics.deadLetters()))) {
            return timed(ctx, "rebound", topics.calls(), reader, i -> BenchContext.request("p" + i, "echo", "", 600_000));
        }
    }

    private double plain(final BenchContext ctx) throws Exception {
        final String in = "plain-in-" + System.nanoTime();
        final String out = "plain-out-" + System.nanoTime();
        ctx.kafka.createTopics(List.of(new NewTopic(in, 3, (short) 1), new NewTopic(out, 3, (short) 1)));
        final StreamsBuilder b = new StreamsBuilder();
        b.stream(in, Consumed.with(Serdes.String(), Serdes.ByteArray())).mapValues(v -> v)
                .to(out, Produced.with(Serdes.String(), Serdes.ByteArray()));
        // the same Kafka settings Rebound runs with (EOS v2, commit interval, poll and fetch waits)
        final Properties props = StreamsSettings.of(BenchContext.parse(ctx.header("plain" + System.nanoTime() + ".")
                + "targets: { x: { url: 'http://127.0.0.1:9/x' } }"));
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "bench-plain-" + System.nanoTime());
        props.put(StreamsConfig.STATE_DIR_CONFIG, ctx.dir.resolve("plain-state").toString());
        props.remove(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG);
        try (KafkaStreams streams = new KafkaStreams(b.build(), props);
             OutputReader reader = new OutputReader(ctx.bootstrap(), List.of(out))) {
            streams.start();
            final long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (streams.state() != KafkaStreams.State.RUNNING && System.nanoTime() < until) {
                Thread.sleep(50);
            }
            return timed(ctx, "plain", in, reader, i -> BenchContext.request("p" + i, "echo", "", 600_000));
        }
    }

    /** Produces {@link #N} records and returns records per second from the first send to the last output read. */
    static double timed(final BenchContext ctx, final String what, final String topic, final OutputReader reader,
                        final java.util.function.IntFunction<byte[]> record) {
        final long start = System.nanoTime();
        try (KafkaProducer<String, byte[]> producer = ctx.producer()) {
            for (int i = 0; i < N; i++) {
                producer.send(new ProducerRecord<>(topic, "k" + i, record.apply(i)));
            }
        }
        final long[] last = {start};
        reader.readUntil(N, Duration.ofSeconds(60), r -> last[0] = System.nanoTime(),
                () -> ctx.progress(what + ": " + reader.count() + "/" + N));
        if (reader.count() < N) {
            throw new IllegalStateException(what + ": only " + reader.count() + " of " + N + " records came out");
        }
        return N / ((last[0] - start) / 1e9);
    }
}
