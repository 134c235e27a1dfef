package dev.rebound.demo;

import dev.rebound.admin.TopicSnapshot;
import dev.rebound.app.SelfHealth;
import dev.rebound.circuit.CircuitRecord;
import dev.rebound.config.ReboundConfig;
import dev.rebound.metrics.ReboundMetrics;
import dev.rebound.recovery.HealthState;
import dev.rebound.request.Json;
import dev.rebound.sim.SimScenario;
import dev.rebound.sim.Simulator;
import dev.rebound.topology.StoreNames;
import dev.rebound.topology.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;

/**
 * {@code rebound demo}: a real KRaft broker in this JVM, the simulated endpoint, the Rebound
 * processor, a mixed load, a live progress line, and a summary counted from the output topics.
 */
public final class Demo {

    /** The scenario that also sends the hard requests and garbage of issue #12 and checks what came back. */
    public static final String CHAOS = "chaos";
    /** The scenario with a pool of three simulated endpoints, one of which fails for a while ({@link PoolDemo}). */
    public static final String POOL = "pool";
    /** Every scenario the demo plays: the simulator's, and the pool. */
    public static final List<String> SCENARIOS = java.util.stream.Stream.concat(SimScenario.NAMES.stream(), java.util.stream.Stream.of(POOL))
            .toList();

    /**
     * @param requests   how many requests to produce
     * @param scenario   the simulator scenario ({@link SimScenario#NAMES}) or {@link #POOL}
     * @param partitions partitions of {@code agent-calls}
     * @param maxWait    how long to wait for the last terminal record before counting the rest as lost
     * @param circuit    whether the circuit breaker (and with it recovery) is on
     * @param fallback   whether sim-chat has its fallback chain
     * @param rate       requests produced per second; 0 for as fast as possible
     */
    public record Options(int requests, String scenario, int partitions, Duration maxWait, boolean circuit, boolean fallback,
                          double rate) {
        public Options {
            if (rate < 0) {
                throw new IllegalArgumentException("--rate must not be negative, was " + rate);
            }
            if (requests < 1) {
                throw new IllegalArgumentException("--requests must be at least 1, was " + requests);
            }
            if (partitions < 1) {
                throw new IllegalArgumentException("--partitions must be at least 1, was " + partitions);
            }
            requireScenario("scenario", scenario);
        }
    }

    /**
     * {@code name} if it is one of {@link #SCENARIOS}, for a command-line option.
     *
     * @throws IllegalArgumentException naming the option and the choices
     */
    public static String requireScenario(final String option, final String name) {
        if (!SCENARIOS.contains(name)) {
            throw new IllegalArgumentException(option + " must be one of " + SCENARIOS + ", was '" + name + "'");
        }
        return name;
    }

    private Demo() {
    }

    /** Runs the demo with plain progress lines (no terminal), its log wherever logging already goes. */
    public static DemoSummary run(final Options o, final PrintStream out) throws Exception {
        return run(o, out, new ProgressLine(out, false, ProgressLine.PLAIN_EVERY, System::nanoTime), Optional.empty());
    }

    /**
     * @param progress the live progress line, redrawn on a terminal
     * @param log      the log file, named once at the start; empty when the log goes to the console
     */
    public static DemoSummary run(final Options o, final PrintStream out, final ProgressLine progress, final Optional<Path> log)
            throws Exception {
        out.println("Rebound demo: " + o.requests() + " requests, scenario '" + o.scenario() + "'");
        log.ifPresent(f -> out.println("  logs: " + f));
        if (POOL.equals(o.scenario())) {
            return PoolDemo.run(o, out, progress);
        }
        try (EmbeddedRebound stack = EmbeddedRebound.start(new EmbeddedRebound.Options("rebound-demo", SimScenario.named(o.scenario()),
                o.partitions(), o.circuit(), o.fallback(), 0, 0), out);
             TerminalCounter counter = new TerminalCounter(stack.bootstrapServers(), stack.topics().results(), stack.topics().deadLetters())) {
            final String bootstrap = stack.bootstrapServers();
            final Simulator sim = stack.sim();
            final ReboundConfig config = stack.config();
            final Topics topics = stack.topics();
            out.println("  producing requests" + (o.rate() > 0 ? " at " + o.rate() + " per second" : "") + " ...");
            final long started = System.nanoTime();
            sim.restartScenarioClock(); // a scenario's outage starts with the load, not with the broker
            final boolean chaos = CHAOS.equals(o.scenario());
            final DemoLoad load = new DemoLoad(UUID.randomUUID().toString().substring(0, 8), chaos, config.limits());
            final List<CompactedGarbage.Written> garbage = new CopyOnWriteArrayList<>();
            // chaos: garbage on the compacted topics in the middle of the load, while calls are in flight
            final Runnable midway = !chaos ? () -> { } : () -> {
                try {
                    garbage.add(CompactedGarbage.write(bootstrap, topics.control(), CompactedGarbage.forControl(DemoLoad.TARGET)));
                    garbage.add(CompactedGarbage.write(bootstrap, topics.circuits(), CompactedGarbage.forCircuits(DemoLoad.TARGET)));
                } catch (final InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            };
            final CompletableFuture<Integer> produced = CompletableFuture.supplyAsync(() -> {
                try {
                    return produce(bootstrap, topics.calls(), load, o.requests(), o.rate(), midway);
                } catch (final Exception e) {
                    throw new IllegalStateException("producing the demo's requests failed: " + e.getMessage(), e);
                }
            });
            final List<DemoReport.Sample> samples = new ArrayList<>();
            final KafkaStreams streams = stack.processor().streams();
            final long lastTerminal = await(counter, o, progress, streams, DemoLoad.TARGET, stack.metrics(), started, samples,
                    () -> progress(counter, o.requests(), sim, streams));
            final int invalid = produced.join();
            // a duplicate would arrive after the first copy: read a little longer before counting
            counter.poll(Duration.ofSeconds(1));
            final double seconds = (lastTerminal - started) / 1e9;
            final List<RampShares.Step> ramp = o.circuit() ? RampShares.measure(timeline(bootstrap, topics.circuits()),
                    counter.decisions(), Duration.ofMillis(300)) : List.of();
            final List<DemoLoad.Item> items = IntStream.range(0, o.requests()).mapToObj(load::item).toList();
            final long answered = items.stream().filter(i -> !i.invalid() && counter.last(i.key()) != null
                    && counter.last(i.key()).hasNonNull("outcome")).count();
            final ChaosSummary chaosSummary = chaos ? ChaosSummary.check(items, counter::last,
                    config.target(DemoLoad.TARGET).orElseThrow().headers().get("Authorization"), sim.misbehaved(), garbage)
                    .withHealth(healthVerdict(stack.processor().health())) : ChaosSummary.NONE;
            return new DemoSummary(o.requests(), counter.outcome("SUCCEEDED"), counter.outcome("FALLBACK"),
                    counter.outcome("DEAD_LETTER"), sim.calls(), sim.backupCalls(), o.requests() - counter.terminalKeys(),
                    counter.duplicated(), invalid, counter.reasons(), counter.servedBy(), ramp, samples, seconds, answered, chaosSummary);
        }
    }

    /**
     * Every transition of the demo target's circuit, from {@code agent-circuits}; records that are not
     * a circuit state (the chaos scenario writes garbage there) are skipped.
     */
    private static List<CircuitRecord> timeline(final String bootstrap, final String topic) {
        return TopicSnapshot.read(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), topic,
                        Duration.ofSeconds(30)).stream()
                .filter(r -> DemoLoad.TARGET.equals(r.key()))
                .flatMap(r -> circuitRecord(r.value()).stream()).toList();
    }

    private static Optional<CircuitRecord> circuitRecord(final byte[] value) {
        try {
            final CircuitRecord r = value == null ? null : Json.read(value, CircuitRecord.class);
            return r == null || r.state() == null || r.since() == null ? Optional.empty() : Optional.of(r);
        } catch (final RuntimeException garbage) {
            return Optional.empty();
        }
    }

    /** Produces {@code n} items of {@code load}, running {@code midway} after the first half; returns how many were invalid. */
    private static int produce(final String bootstrap, final String topic, final DemoLoad load, final int n, final double rate,
                               final Runnable midway) throws Exception {
        int invalid = 0;
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, "5"), new StringSerializer(), new ByteArraySerializer())) {
            final Pacer pacer = new Pacer(rate);
            for (int i = 0; i < n; i++) {
                pacer.awaitSlot(i);
                if (i == n / 2) {
                    midway.run();
                }
                final DemoLoad.Item item = load.item(i);
                invalid += item.invalid() ? 1 : 0;
                producer.send(new ProducerRecord<>(topic, item.key(), item.value()));
            }
            producer.flush();
        }
        return invalid;
    }

    /**
     * Polls until every request has a terminal record or {@code maxWait} passes without progress;
     * samples the outcomes and {@code circuitTarget}'s circuit every second for the report and shows
     * {@code line} twice a second. Returns when the last terminal record was read.
     */
    static long await(final TerminalCounter counter, final Options o, final ProgressLine progress, final KafkaStreams streams,
                      final String circuitTarget, final ReboundMetrics metrics, final long started,
                      final List<DemoReport.Sample> samples, final Supplier<String> line) {
        long lastProgress = System.nanoTime();
        long nextSample = started + 1_000_000_000L;
        long lastTerminal = lastProgress;
        long lastLine = 0;
        int seen = 0;
        while (counter.terminalKeys() < o.requests()) {
            counter.poll(Duration.ofMillis(200));
            final long now = System.nanoTime();
            if (counter.terminalKeys() > seen) {
                seen = counter.terminalKeys();
                lastProgress = now;
                lastTerminal = now;
            }
            if (now >= nextSample) {
                nextSample += 1_000_000_000L;
                final CircuitRecord c = circuitRecord(streams, circuitTarget);
                samples.add(new DemoReport.Sample((now - started) / 1e9, counter.outcome("SUCCEEDED"), counter.outcome("FALLBACK"),
                        counter.outcome("DEAD_LETTER"), c == null ? "CLOSED" : c.state().name(), c == null ? 100 : c.trafficPercent(),
                        metrics.delayWaiting()));
            }
            if (now - lastLine > 500_000_000L) {
                lastLine = now;
                progress.show(line.get());
            }
            if (Duration.ofNanos(now - lastProgress).compareTo(o.maxWait()) > 0) {
                break;
            }
        }
        progress.finish(line.get());
        return lastTerminal;
    }

    private static String progress(final TerminalCounter c, final int total, final Simulator sim,
                                   final KafkaStreams streams) {
        return String.format("  [%6d/%d] succeeded %d  fallback %d  dead-lettered %d  calls %d  circuit %s",
                c.terminalKeys(), total, c.outcome("SUCCEEDED"), c.outcome("FALLBACK"), c.outcome("DEAD_LETTER"), sim.calls(),
                circuit(streams, DemoLoad.TARGET));
    }

    /** The demo target's circuit as this instance sees it (the global store), for the progress line. */
    private static String circuit(final KafkaStreams streams, final String target) {
        final CircuitRecord r = circuitRecord(streams, target);
        return r == null ? "CLOSED" : String.format("%-9s %3d%%", r.state(), r.trafficPercent());
    }

    /** The demo target's circuit record in this instance's global store, or {@code null} (none yet, or not queryable). */
    static CircuitRecord circuitRecord(final KafkaStreams streams, final String target) {
        try {
            final ReadOnlyKeyValueStore<String, CircuitRecord> circuits = streams.store(
                    StoreQueryParameters.fromNameAndType(StoreNames.CIRCUITS, QueryableStoreTypes.keyValueStore()));
            return circuits.get(target);
        } catch (final InvalidStateStoreException notYet) {
            return null;
        }
    }

    /** {@code live and ready}, or the checks that fail: what the processor's health endpoints would answer now. */
    static String healthVerdict(final SelfHealth health) {
        final var checks = health.checks();
        if (health.live(checks) && health.ready(checks)) {
            return ChaosSummary.HEALTHY;
        }
        return "NOT " + (health.live(checks) ? "ready" : "live") + ": " + checks.entrySet().stream().filter(e -> !e.getValue().ok())
                .map(e -> e.getKey() + " (" + e.getValue().detail() + ")").toList();
    }

    /** The summary table printed at the end of the demo. */
    public static String table(final DemoSummary s) {
        final StringBuilder b = new StringBuilder();
        b.append("\n  Summary (counted from agent-results and agent-dead-letters, read_committed)\n");
        b.append("  ----------------------------------------------------------------------------\n");
        row(b, "requests", s.requests(), s.invalidSent() + " of them deliberately invalid");
        row(b, "succeeded", s.succeeded(), "");
        row(b, "fallback", s.fallback(), s.fallback() == 0 ? "" : "served by " + s.fallbackServedBy());
        row(b, "dead-lettered", s.deadLettered(), s.deadLetterReasons().toString());
        final long valid = s.requests() - s.invalidSent();
        row(b, "downstream calls", s.downstreamCalls(),
                valid == 0 ? "" : String.format("%.2f per valid request, to the primary", (double) s.downstreamCalls() / valid));
        if (s.backupCalls() > 0) {
            row(b, "backup calls", s.backupCalls(), "to the fallback target");
        }
        row(b, "answered", s.validAnswered(), s.validAnswered() == s.valid() ? "every valid request has a result"
                : (s.valid() - s.validAnswered()) + " valid requests without a result");
        row(b, "lost", s.lost(), s.lost() == 0 ? "every request accounted for" : "NO TERMINAL RECORD");
        row(b, "duplicated", s.duplicated(), s.duplicated() == 0 ? "exactly one terminal record each" : "MORE THAN ONE TERMINAL RECORD");
        b.append(String.format("  %-18s %10.1f s%n", "time", s.seconds()));
        if (s.chaos() != ChaosSummary.NONE) {
            b.append(s.chaos().table());
        }
        if (s.pool() != EndpointShares.Timeline.NONE) {
            b.append(s.pool().table());
        }
        if (s.ramp().stream().anyMatch(step -> step.health() == HealthState.RECOVERING)) {
            b.append("\n  Circuit and recovery timeline of ").append(DemoLoad.TARGET)
                    .append(" (share of requests admitted, from the terminal records)\n").append(RampShares.table(s.ramp()));
        }
        return b.toString();
    }

    private static void row(final StringBuilder b, final String name, final long value, final String note) {
        b.append(String.format("  %-18s %10d   %s%n", name, value, note));
    }
}
