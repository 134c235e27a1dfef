package dev.rebound.bench;

import dev.rebound.admin.ProcessorProcess;
import dev.rebound.demo.Pacer;
import dev.rebound.demo.TerminalCounter;
import dev.rebound.sim.SimScenario;
import dev.rebound.sim.Simulator;
import dev.rebound.topology.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code exactly-once}: 10 000 requests, 30 % failing once (a retry each), the processor running as
 * separate JVMs ({@code rebound run}, this JVM's class path) while this one produces: the first
 * killed with {@code kill -9} at 20 % and restarted in place (same state directory, as a restarted
 * pod would be), the broker restarted at 40 %, a second instance joining at 55 % (its own state
 * directory: Kafka Streams locks one per instance), the restarted first killed again at 70 %, so
 * that the joiner finishes alone. Counted afterwards from the output topics with a
 * {@code read_committed} consumer: every request must have exactly one terminal record.
 *
 * <p>Each processor is watched through its own ops endpoint. A processor that dies by itself, or
 * whose streams never reach RUNNING, fails the scenario with its log's last lines: without that a
 * run in which nothing processed after a kill would look like a loss of records. Before each kill
 * and before the broker restart, the processors involved must be RUNNING, so every disruption
 * hits a processor that works; after the restart the running one must report RUNNING again. The
 * figures say how many requests had ended at each of those moments and how long each processor
 * took to run.
 */
final class ExactlyOnce implements Scenario {

    static final int N = 10_000;
    static final int RATE = 400;
    /** The request after which each disruption happens. */
    private static final int FIRST_KILL = N * 20 / 100;
    private static final int BROKER_RESTART = N * 40 / 100;
    private static final int JOIN = N * 55 / 100;
    private static final int SECOND_KILL = N * 70 / 100;
    /** How long a processor may take to reach RUNNING (start, topic check, rebalance, restoration) on a busy 2-core machine. */
    private static final Duration START_LIMIT = Duration.ofSeconds(90);

    @Override
    public String name() {
        return "exactly-once";
    }

    @Override
    public String setup() {
        return N + " requests, 30% transient failures, 2 x kill -9, 1 broker restart, instances joining and leaving";
    }

    @Override
    public Map<String, Object> run(final BenchContext ctx) throws Exception {
        final String prefix = ctx.freshTopics(6);
        final Topics topics = BenchContext.topics(prefix);
        final Map<String, Object> f = new LinkedHashMap<>();
        final List<ProcessorProcess> started = new ArrayList<>();
        try (Simulator sim = Simulator.start(0, SimScenario.named("healthy"), 8)) {
            final String targets = """
                    targets:
                      llm:
                        url: "http://127.0.0.1:%d/v1/chat"
                        timeout: 5s
                        maxInFlight: 64
                        retry: { maxAttempts: 3, initialDelay: 300ms, jitter: none, adaptive: { enabled: false } }
                        budget: { ratio: 1.0, minRetriesPerSecond: 1000 }
                        circuit: { enabled: false }
                    """.formatted(sim.port());
            final ProcessorProcess first = start(ctx, prefix, targets, "first", "a", started);
            ctx.progress("waiting for the first processor to run");
            f.put("firstRunningAfterMs", first.awaitRunning(START_LIMIT).toMillis());
            ProcessorProcess replacement = null;
            ProcessorProcess joiner = null;
            final AtomicInteger sendFailures = new AtomicInteger();
            final AtomicReference<Exception> firstSendFailure = new AtomicReference<>();
            try (TerminalCounter counter = new TerminalCounter(ctx.bootstrap(), topics.results(), topics.deadLetters());
                 KafkaProducer<String, byte[]> producer = ctx.producer()) {
                // re-made after each wait for a processor, so that the requests due meanwhile are not
                // sent in one burst: the phases between disruptions keep their length in time
                Pacer pacer = new Pacer(RATE);
                int pacedFrom = 0;
                for (int i = 0; i < N; i++) {
                    pacer.awaitSlot(i - pacedFrom);
                    final String script = i % 10 < 3 ? "{\"status\":503,\"failTimes\":1}" : "";
                    producer.send(new ProducerRecord<>(topics.calls(), "k" + i, BenchContext.request("e" + i, "llm", script, 600_000)),
                            (meta, e) -> {
                                if (e != null) {
                                    sendFailures.incrementAndGet();
                                    firstSendFailure.compareAndSet(null, e);
                                }
                            });
                    if (i % 200 == 0) {
                        started.forEach(ProcessorProcess::ensureAlive);
                        counter.poll(Duration.ZERO);
                        ctx.progress(i + "/" + N + " sent, " + counter.terminalKeys() + " ended");
                    }
                    switch (i) {
                        case FIRST_KILL -> {
                            ctx.progress("kill -9 of the first processor, restarted in place");
                            first.ensureAlive();
                            f.put("endedAtFirstKill", ended(counter));
                            f.put("terminalWrittenByFirst", Math.round(first.counter("rebound_terminal_total")));
                            first.kill9();
                            replacement = start(ctx, prefix, targets, "replacement", "a", started);
                        }
                        case BROKER_RESTART -> {
                            ctx.progress("restarting the broker (once the replacement runs)");
                            replacement.awaitRunning(START_LIMIT);
                            f.put("replacementRunningAfterMs", replacement.runningAfter().orElseThrow().toMillis());
                            f.put("endedAtBrokerRestart", ended(counter));
                            ctx.kafka.restartBroker();
                            final long back = System.nanoTime();
                            ctx.progress("broker back; waiting for the replacement to report RUNNING");
                            f.put("replacementRunningAfterBrokerRestartMs", replacement.awaitRunningSince(back, START_LIMIT).toMillis());
                        }
                        case JOIN -> {
                            f.put("endedAtJoin", ended(counter));
                            ctx.progress("a second instance joins");
                            joiner = start(ctx, prefix, targets, "joiner", "b", started);
                        }
                        case SECOND_KILL -> {
                            ctx.progress("kill -9 of the replacement (once the joiner runs)");
                            f.put("joinerRunningAfterMs", joiner.awaitRunning(START_LIMIT).toMillis());
                            replacement.ensureAlive();
                            f.put("endedAtSecondKill", ended(counter));
                            f.put("terminalWrittenByReplacement", Math.round(replacement.counter("rebound_terminal_total")));
                            replacement.kill9();
                        }
                        default -> {
                            continue; // no disruption here: the pacer goes on as it was
                        }
                    }
                    pacer = new Pacer(RATE);
                    pacedFrom = i;
                }
                producer.flush();
                if (sendFailures.get() > 0) {
                    throw new IllegalStateException(sendFailures.get() + " of " + N + " requests could not be produced, the first: "
                            + firstSendFailure.get());
                }
                drain(ctx, counter, started);
                counter.poll(Duration.ofSeconds(2)); // a duplicate would come after the first copy
                joiner.ensureAlive();
                joiner.awaitRunningSince(System.nanoTime(), Duration.ofSeconds(30));
                f.put("joinerRunningAtEnd", true);
                // its own count, not transactional: records of aborted transactions are in it too
                f.put("terminalWrittenByJoiner", Math.round(joiner.counter("rebound_terminal_total")));
                f.put("liveCounterTerminal", counter.terminalKeys());
            } finally {
                for (final ProcessorProcess p : started) {
                    p.close();
                }
            }
        }
        // read everything again from the start: if the counter that lived through the broker
        // restart missed or doubled anything, the two disagree
        try (TerminalCounter recount = new TerminalCounter(ctx.bootstrap(), topics.results(), topics.deadLetters())) {
            if (!recount.readToEnd(Duration.ofSeconds(60))) {
                throw new IllegalStateException("the recount did not reach the end of the output topics in 60 s");
            }
            final Map<String, Object> out = new LinkedHashMap<>();
            out.put("requests", N);
            out.put("terminal", recount.terminalKeys());
            out.put("lost", N - recount.terminalKeys());
            out.put("duplicated", recount.duplicated());
            out.put("dedupReplays", recount.dedupReplays());
            out.putAll(f);
            return out;
        }
    }

    /** Starts processor {@code name} on state directory {@code stateName}, with its own configuration, log and ops port. */
    private static ProcessorProcess start(final BenchContext ctx, final String prefix, final String targets, final String name,
                                          final String stateName, final List<ProcessorProcess> started) throws Exception {
        final int opsPort = BenchContext.freePort();
        final Path config = ctx.dir.resolve(prefix + "exactly-once-" + name + ".yaml");
        Files.writeString(config, ctx.instanceHeader(prefix, stateName, opsPort) + targets);
        final ProcessorProcess p = ProcessorProcess.watched(name, config, ctx.dir.resolve(prefix + "exactly-once-" + name + ".log"), opsPort);
        started.add(p);
        return p;
    }

    /** How many requests have ended now: everything committed so far is read first (within 10 s). */
    private static int ended(final TerminalCounter counter) {
        counter.readToEnd(Duration.ofSeconds(10));
        return counter.terminalKeys();
    }

    /** Reads terminal records until all have come or none came for two minutes; every processor must stay up meanwhile. */
    private static void drain(final BenchContext ctx, final TerminalCounter counter, final List<ProcessorProcess> started) {
        long lastProgress = System.nanoTime();
        int seen = counter.terminalKeys();
        while (counter.terminalKeys() < N && System.nanoTime() - lastProgress < Duration.ofSeconds(120).toNanos()) {
            started.forEach(ProcessorProcess::ensureAlive);
            counter.poll(Duration.ofMillis(500));
            if (counter.terminalKeys() > seen) {
                seen = counter.terminalKeys();
                lastProgress = System.nanoTime();
            }
            ctx.progress("all sent, " + counter.terminalKeys() + "/" + N + " ended");
        }
    }
}
