package dev.rebound.bench;

import dev.rebound.ops.Pacer;
import dev.rebound.ops.ProcessorProcess;
import dev.rebound.ops.SimScenario;
import dev.rebound.ops.Simulator;
import dev.rebound.ops.TerminalCounter;
import dev.rebound.topology.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code exactly-once}: 10 000 requests, 30 % failing once (a retry each), the processor running as
 * separate JVMs ({@code rebound run}, this JVM's class path) while this one produces: the first
 * killed with {@code kill -9} at 20 %, its replacement killed at 70 %, the broker restarted at 40 %,
 * a second instance joining at 55 % (rebalances each time). Counted afterwards from the output
 * topics with a {@code read_committed} consumer: every request must have exactly one terminal record.
 */
final class ExactlyOnce implements Scenario {

    static final int N = 10_000;
    static final int RATE = 400;

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
        final Path log = ctx.dir.resolve("exactly-once-processors.log");
        try (Simulator sim = Simulator.start(0, SimScenario.named("healthy"), 8)) {
            final Path config = ctx.dir.resolve("exactly-once.yaml");
            Files.writeString(config, ctx.header(prefix) + """
                    targets:
                      llm:
                        url: "http://127.0.0.1:%d/v1/chat"
                        timeout: 5s
                        maxInFlight: 64
                        retry: { maxAttempts: 3, initialDelay: 300ms, jitter: none, adaptive: { enabled: false } }
                        budget: { ratio: 1.0, minRetriesPerSecond: 1000 }
                        circuit: { enabled: false }
                    """.formatted(sim.port()));
            ProcessorProcess first = ProcessorProcess.start(config, log);
            ProcessorProcess second = null;
            ProcessorProcess third = null;
            try (TerminalCounter counter = new TerminalCounter(ctx.bootstrap(), topics.results(), topics.deadLetters());
                 KafkaProducer<String, byte[]> producer = ctx.producer()) {
                final Pacer pacer = new Pacer(RATE);
                for (int i = 0; i < N; i++) {
                    pacer.awaitSlot(i);
                    final String script = i % 10 < 3 ? "{\"status\":503,\"failTimes\":1}" : "";
                    producer.send(new ProducerRecord<>(topics.calls(), "k" + i, BenchContext.request("e" + i, "llm", script, 600_000)));
                    if (i == N * 20 / 100) {
                        ctx.progress("kill -9 of the first processor");
                        first.kill9();
                        second = ProcessorProcess.start(config, log);
                    } else if (i == N * 40 / 100) {
                        ctx.progress("restarting the broker");
                        ctx.kafka.restartBroker();
                    } else if (i == N * 55 / 100) {
                        ctx.progress("a second instance joins");
                        third = ProcessorProcess.start(config, log);
                    } else if (i == N * 70 / 100) {
                        ctx.progress("kill -9 of the replacement");
                        second.kill9();
                    }
                    if (i % 200 == 0) {
                        counter.poll(Duration.ZERO);
                        ctx.progress(i + "/" + N + " sent, " + counter.terminalKeys() + " ended");
                    }
                }
                producer.flush();
                long lastProgress = System.nanoTime();
                int seen = counter.terminalKeys();
                while (counter.terminalKeys() < N && System.nanoTime() - lastProgress < Duration.ofSeconds(120).toNanos()) {
                    counter.poll(Duration.ofMillis(500));
                    if (counter.terminalKeys() > seen) {
                        seen = counter.terminalKeys();
                        lastProgress = System.nanoTime();
                    }
                    ctx.progress("all sent, " + counter.terminalKeys() + "/" + N + " ended");
                }
                counter.poll(Duration.ofSeconds(2)); // a duplicate would come after the first copy
                final Map<String, Object> f = new LinkedHashMap<>();
                f.put("requests", N);
                f.put("terminal", counter.terminalKeys());
                f.put("lost", N - counter.terminalKeys());
                f.put("duplicated", counter.duplicated());
                return f;
            } finally {
                for (final ProcessorProcess p : new ProcessorProcess[] {first, second, third}) {
                    if (p != null) {
                        p.close();
                    }
                }
            }
        }
    }
}
