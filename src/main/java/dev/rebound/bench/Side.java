package dev.rebound.bench;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * One side of a comparison: a Kafka Streams application started once and fed a fresh batch of
 * requests per round, so that its rounds measure a running application, not its start-up.
 * Between its own rounds it is paused ({@link KafkaStreams#pause()}: no processing and no
 * punctuation, though its consumer still polls and commits), so that its idle work does not
 * land in another side's CPU time.
 */
final class Side implements AutoCloseable {

    /**
     * A round's figures: requests per second from the first send to the last result read, process
     * CPU per request, and that CPU by kind of thread ({@link CpuByThread}; empty for a median).
     */
    record Round(double perSec, double cpuMicrosPerRequest, Map<String, Long> cpuByThread) {
        Round(final double perSec, final double cpuMicrosPerRequest) {
            this(perSec, cpuMicrosPerRequest, Map.of());
        }
    }

    private final String name;
    private final KafkaStreams streams;
    private final AutoCloseable app;
    private final String input;
    private final OutputReader reader;
    private final KafkaProducer<String, byte[]> producer;
    private final Function<String, byte[]> request;
    private final int warmUpSize;
    private long sent;

    /**
     * @param app       what to close at the end (the {@link KafkaStreams} itself, or Rebound's wrapper of it)
     * @param outputs   the topics where each request ends (results and dead letters)
     * @param request   the request with this id, as produced to {@code input} (keyed by the id)
     * @param warmUpSize requests in the first warm-up round (the later rounds are sized by {@link Rounds})
     */
    Side(final BenchContext ctx, final String name, final KafkaStreams streams, final AutoCloseable app, final String input,
         final List<String> outputs, final Function<String, byte[]> request, final int warmUpSize) {
        this.name = name;
        this.streams = streams;
        this.app = app;
        this.input = input;
        this.reader = new OutputReader(ctx.bootstrap(), outputs);
        this.producer = ctx.producer();
        this.request = request;
        this.warmUpSize = warmUpSize;
    }

    String name() {
        return name;
    }

    int warmUpSize() {
        return warmUpSize;
    }

    void pause() {
        streams.pause();
    }

    /**
     * Resumes the application, produces {@code n} fresh requests, waits for every one's terminal
     * record, pauses it again; throws if some never end.
     */
    Round round(final BenchContext ctx, final String label, final int n) {
        streams.resume();
        try {
            final CpuByThread cpuBefore = CpuByThread.now();
            final long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                final String id = name + "-" + (sent + i);
                producer.send(new ProducerRecord<>(input, id, request.apply(id)));
            }
            producer.flush();
            sent += n;
            final long[] last = {start};
            reader.readUntil(sent, Duration.ofSeconds(60), r -> last[0] = System.nanoTime(),
                    () -> ctx.progress(label + ": " + (reader.count() - sent + n) + "/" + n));
            final CpuByThread cpuAfter = CpuByThread.now();
            final long cpu = cpuAfter.processNanosSince(cpuBefore);
            final Map<String, Long> byThread = cpuAfter.microsPerRequestSince(cpuBefore, n);
            if (reader.count() < sent) {
                throw new IllegalStateException(label + ": only " + (reader.count() - sent + n) + " of " + n + " requests ended");
            }
            return new Round(n / ((last[0] - start) / 1e9), cpu / 1e3 / n, byThread);
        } finally {
            streams.pause();
        }
    }

    @Override
    public void close() throws Exception {
        try (reader; producer; app) {
            // closes all three, the application last
        }
    }
}
