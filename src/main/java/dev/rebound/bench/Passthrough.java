package dev.rebound.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rebound.app.ReboundStreams;
import dev.rebound.config.ReboundConfig;
import dev.rebound.execute.TargetExecutor;
import dev.rebound.execute.TargetPool;
import dev.rebound.lifecycle.CallOutcome;
import dev.rebound.metrics.ReboundMetrics;
import dev.rebound.request.Json;
import dev.rebound.topology.Topics;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;

/**
 * {@code passthrough}: Rebound with its default configuration and an instant in-process target,
 * against two topologies on the same broker with the same records, all exactly-once, 3
 * partitions: a plain Kafka Streams {@code mapValues} that copies bytes, and the
 * {@link SmallestDurableExecutor} (one changelogged store entry written and deleted per request,
 * one result), and {@linkplain SmallestDurableExecutor#contract the same with the contract's dedup
 * window and JSON}. The ratio to the first says what the design costs per request on top of Kafka
 * Streams; the ratio to the second, what Rebound costs on top of keeping a request durably; the
 * ratio to the third, what Rebound's code costs on top of what its contract costs any implementation.
 * Measured by {@link Rounds}: warm-up, alternating rounds, medians, CPU per request.
 */
final class Passthrough implements Scenario {

    /** Requests in each side's first warm-up round; the later rounds are sized by {@link Rounds}. */
    static final int WARM_UP = 5_000;
    private static final JsonNode ANSWER = Json.MAPPER.createObjectNode().put("answer", "instant");

    @Override
    public String name() {
        return "passthrough";
    }

    @Override
    public String setup() {
        return "warm-up, " + Rounds.MEASURED + " rounds of ~" + Rounds.ROUND.toSeconds() + " s per side, instant target, 3 partitions, EOS; "
                + "vs mapValues, vs durable, vs the contract's floor";
    }

    /** A target that answers at once, without a network: the processor's own cost alone. */
    static TargetExecutor instant() {
        return spec -> CompletableFuture.completedFuture(new CallOutcome.Success(200, ANSWER, Instant.now(), 0));
    }

    @Override
    public Map<String, Object> run(final BenchContext ctx) throws Exception {
        try (Side rebound = rebound(ctx); Side plain = plain(ctx); Side durable = executor(ctx, "durable", SmallestDurableExecutor::topology);
             Side contract = executor(ctx, "contract", SmallestDurableExecutor::contract)) {
            final Map<Side, Side.Round> m = Rounds.run(ctx, List.of(rebound, plain, durable, contract));
            final Side.Round r = m.get(rebound);
            final Side.Round p = m.get(plain);
            final Side.Round d = m.get(durable);
            final Side.Round c = m.get(contract);
            final Map<String, Object> f = new LinkedHashMap<>();
            f.put("reboundPerSec", Math.round(r.perSec()));
            f.put("plainPerSec", Math.round(p.perSec()));
            f.put("ratio", Bench.round(r.perSec() / p.perSec(), 3));
            f.put("durablePerSec", Math.round(d.perSec()));
            f.put("ratioToDurable", Bench.round(r.perSec() / d.perSec(), 3));
            f.put("contractPerSec", Math.round(c.perSec()));
            f.put("ratioToContract", Bench.round(r.perSec() / c.perSec(), 3));
            f.put("contractToDurable", Bench.round(c.perSec() / d.perSec(), 3));
            f.put("cpuMicrosPerRequest", Math.round(r.cpuMicrosPerRequest()));
            f.put("plainCpuMicrosPerRequest", Math.round(p.cpuMicrosPerRequest()));
            f.put("durableCpuMicrosPerRequest", Math.round(d.cpuMicrosPerRequest()));
            f.put("contractCpuMicrosPerRequest", Math.round(c.cpuMicrosPerRequest()));
            return f;
        }
    }

    private static byte[] request(final String id) {
        return BenchContext.request(id, "echo", "", 600_000);
    }

    /** Rebound as users run it: circuits on; only the slot count is raised, since the target answers at once. */
    private Side rebound(final BenchContext ctx) throws Exception {
        final String prefix = ctx.freshTopics(3);
        final ReboundConfig config = BenchContext.parse(ctx.header(prefix) + """
                targets:
                  echo: { url: "http://127.0.0.1:9/unused", maxInFlight: 10000 }
                """);
        final Topics topics = BenchContext.topics(prefix);
        ctx.progress("starting rebound");
        final ReboundStreams rebound = ctx.start(config, TargetPool.of(config, t -> instant()), new ReboundMetrics());
        return new Side(ctx, "rebound", rebound.streams(), rebound, topics.calls(), List.of(topics.results(), topics.deadLetters()),
                Passthrough::request, WARM_UP);
    }

    private Side plain(final BenchContext ctx) throws Exception {
        final String[] io = topics(ctx, "plain");
        final StreamsBuilder b = new StreamsBuilder();
        b.stream(io[0], Consumed.with(Serdes.String(), Serdes.ByteArray())).mapValues(v -> v)
                .to(io[1], Produced.with(Serdes.String(), Serdes.ByteArray()));
        ctx.progress("starting plain");
        final KafkaStreams streams = ctx.startPlain(b.build(), "plain", 1);
        return new Side(ctx, "plain", streams, streams, io[0], List.of(io[1]), Passthrough::request, WARM_UP);
    }

    /** A side running {@code topology(input, output)}: the durable executor, or the contract's floor. */
    private Side executor(final BenchContext ctx, final String name, final BiFunction<String, String, Topology> topology) throws Exception {
        final String[] io = topics(ctx, name);
        ctx.progress("starting " + name);
        final KafkaStreams streams = ctx.startPlain(topology.apply(io[0], io[1]), name, 1);
        return new Side(ctx, name, streams, streams, io[0], List.of(io[1]), Passthrough::request, WARM_UP);
    }

    /** A fresh input and output topic of 3 partitions each. */
    private static String[] topics(final BenchContext ctx, final String name) throws Exception {
        final String in = name + "-in-" + System.nanoTime();
        final String out = name + "-out-" + System.nanoTime();
        ctx.kafka.createTopics(List.of(new NewTopic(in, 3, (short) 1), new NewTopic(out, 3, (short) 1)));
        return new String[] {in, out};
    }
}
