package dev.rebound.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.utils.Utils;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The client's one consumer and the thread that owns it (a {@code KafkaConsumer} is not
 * thread-safe). It reads the results topic (or the client's reply topic) and the dead-letter topic,
 * every partition assigned, {@code read_committed}, so that only outcomes of committed Rebound
 * transactions count: a processor killed mid-transaction never shows a result that is then
 * written again.
 *
 * <p>New calls: positions start at the end, fixed before the client is returned, so every outcome
 * of a request sent afterwards is read. Attach: the outcome of a request sent earlier lies in the
 * partition its key hashes to (Rebound writes results and dead letters with the request's key, and
 * the default partitioner), so that partition alone is read again, from the beginning or from a
 * time. Rewinding the live consumer instead of opening a second one costs only re-reading that
 * partition: a position only moves back, so nothing is skipped, and an outcome read twice
 * completes nothing the second time. A dedup replay ({@code rebound-dedup-replay} header) is the
 * stored outcome repeated for a repeated id: for a caller still waiting it is the answer, so it is
 * not skipped; once a waiter is completed by either copy the other finds no one waiting.
 */
final class ReplyReader implements AutoCloseable {

    private static final Duration POLL = Duration.ofMillis(200);

    private final Consumer<String, byte[]> consumer;
    private final String results;
    private final String deadLetters;
    private final Map<String, Integer> partitions;
    private final Waiters waiters;
    private final ObjectMapper mapper;
    private final Queue<Rewind> rewinds = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    private volatile boolean running = true;

    /** Read key's partition of each topic again from {@code since}, or from the beginning when {@code null}. */
    private record Rewind(String key, Instant since) {
    }

    ReplyReader(final Consumer<String, byte[]> consumer, final String results, final String deadLetters, final Waiters waiters,
                final ObjectMapper mapper) {
        this.consumer = consumer;
        this.results = results;
        this.deadLetters = deadLetters;
        this.waiters = waiters;
        this.mapper = mapper;
        final List<TopicPartition> all = new ArrayList<>();
        this.partitions = Map.of(results, partitionsOf(results, all), deadLetters, partitionsOf(deadLetters, all));
        consumer.assign(all);
        consumer.seekToEnd(all);
        all.forEach(consumer::position); // fixed now: an outcome written after this constructor returns is read
        this.thread = new Thread(this::run, "rebound-client-reader");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Reads {@code key}'s partitions again from {@code since} (or the beginning), for an attach. */
    void rewind(final String key, final Instant since) {
        rewinds.add(new Rewind(key, since));
        consumer.wakeup();
    }

    private int partitionsOf(final String topic, final List<TopicPartition> into) {
        final List<PartitionInfo> infos = consumer.partitionsFor(topic);
        if (infos == null || infos.isEmpty()) {
            throw new IllegalStateException("topic '" + topic + "' does not exist; create Rebound's topics (rebound topics create"
                    + (topic.equals(results) ? ", with --reply-topic for a reply topic" : "") + ")");
        }
        infos.forEach(p -> into.add(new TopicPartition(topic, p.partition())));
        return infos.size();
    }

    private void run() {
        try {
            while (running) {
                try {
                    applyRewinds();
                    for (final ConsumerRecord<String, byte[]> r : consumer.poll(POLL)) {
                        deliver(r);
                    }
                } catch (final WakeupException e) {
                    // a rewind or close: the loop looks again
                }
            }
        } catch (final RuntimeException e) {
            waiters.failAll(new IllegalStateException("the client's reader failed: " + e, e));
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void applyRewinds() {
        // peeked, removed once applied: a wakeup in the middle leaves it queued, and applying it again is harmless
        Rewind rewind;
        while ((rewind = rewinds.peek()) != null) {
            for (final String topic : List.of(results, deadLetters)) {
                final TopicPartition tp = new TopicPartition(topic, partitionFor(rewind.key(), partitions.get(topic)));
                final long from = from(tp, rewind.since());
                if (from < consumer.position(tp)) {
                    consumer.seek(tp, from);
                }
            }
            rewinds.poll();
        }
    }

    private long from(final TopicPartition tp, final Instant since) {
        if (since != null) {
            final OffsetAndTimestamp at = consumer.offsetsForTimes(Map.of(tp, since.toEpochMilli())).get(tp);
            if (at != null) {
                return at.offset();
            }
            return consumer.endOffsets(List.of(tp)).get(tp);
        }
        return consumer.beginningOffsets(List.of(tp)).get(tp);
    }

    /** The partition the default partitioner gives {@code key} (a String key, UTF-8), as Rebound's producer does. */
    static int partitionFor(final String key, final int partitions) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    private void deliver(final ConsumerRecord<String, byte[]> r) {
        if (r.value() == null || waiters.isEmpty()) {
            return;
        }
        final JsonNode json;
        try {
            json = mapper.readTree(r.value());
        } catch (final IOException e) {
            return; // not a record Rebound wrote: nobody waits for it
        }
        if (json == null || !json.path("id").isTextual() || !waiters.waitingFor(json.get("id").asText())) {
            return;
        }
        waiters.complete(r.topic().equals(deadLetters) ? Outcome.deadLetter(r.key(), json) : Outcome.result(r.key(), json));
    }

    /** Stops the thread and closes the consumer; returns when both are done. */
    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(10_000);
    }
}
