package dev.rebound.bench;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** Reads output topics from the beginning as a {@code read_committed} consumer, as a downstream service would. */
final class OutputReader implements AutoCloseable {

    private final KafkaConsumer<String, byte[]> consumer;
    private long count;

    OutputReader(final String bootstrap, final List<String> topics) {
        consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed", ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000", ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "20"),
                new StringDeserializer(), new ByteArrayDeserializer());
        final List<TopicPartition> parts = new ArrayList<>();
        for (final String t : topics) {
            consumer.partitionsFor(t).forEach(p -> parts.add(new TopicPartition(t, p.partition())));
        }
        consumer.assign(parts);
        consumer.seekToBeginning(parts);
    }

    /** Polls until {@code n} records have been read or {@code timeout} passes without one; returns the count. */
    long readUntil(final long n, final Duration idleTimeout, final Consumer<ConsumerRecord<String, byte[]>> each,
                   final Runnable onPoll) {
        long lastProgress = System.nanoTime();
        while (count < n && System.nanoTime() - lastProgress < idleTimeout.toNanos()) {
            for (final ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(50))) {
                count++;
                lastProgress = System.nanoTime();
                each.accept(r);
            }
            onPoll.run();
        }
        return count;
    }

    /**
     * Polls while {@code more} says so, until {@code idleTimeout} passes without a record or
     * {@code deadline} (a {@code System.nanoTime} value) passes; returns whether it stopped because
     * {@code more} said enough.
     */
    boolean readWhile(final java.util.function.BooleanSupplier more, final Duration idleTimeout, final long deadline,
                      final Consumer<ConsumerRecord<String, byte[]>> each, final Runnable onPoll) {
        long lastProgress = System.nanoTime();
        while (more.getAsBoolean()) {
            final long now = System.nanoTime();
            if (now - lastProgress > idleTimeout.toNanos() || now - deadline > 0) {
                return false;
            }
            for (final ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(20))) {
                count++;
                lastProgress = System.nanoTime();
                each.accept(r);
            }
            onPoll.run();
        }
        return true;
    }

    long count() {
        return count;
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
