package dev.rebound.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rebound.config.ReboundConfig;
import dev.rebound.lifecycle.CallOutcome;
import dev.rebound.execute.TargetExecutor;
import dev.rebound.execute.TargetPool;
import dev.rebound.ops.ReboundMetrics;
import dev.rebound.request.Json;
import dev.rebound.topology.ReboundStreams;
import dev.rebound.topology.Topics;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
            return ctx.timed("rebound", N, topics.calls(), reader, i -> BenchContext.request("p" + i, "echo", "", 600_000));
        }
    }

    private double plain(final BenchContext ctx) throws Exception {
        final String in = "plain-in-" + System.nanoTime();
        final String out = "plain-out-" + System.nanoTime();
        ctx.kafka.createTopics(List.of(new NewTopic(in, 3, (short) 1), new NewTopic(out, 3, (short) 1)));
        final StreamsBuilder b = new StreamsBuilder();
        b.stream(in, Consumed.with(Serdes.String(), Serdes.ByteArray())).mapValues(v -> v)
                .to(out, Produced.with(Serdes.String(), Serdes.ByteArray()));
        try (KafkaStreams streams = ctx.startPlain(b.build(), "plain", 1);
             OutputReader reader = new OutputReader(ctx.bootstrap(), List.of(out))) {
            return ctx.timed("plain", N, in, reader, i -> BenchContext.request("p" + i, "echo", "", 600_000));
        }
    }
}
