package dev.rebound.dlq;

import dev.rebound.request.Source;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads single records back by topic, partition and offset, as a {@code read_committed} consumer
 * sees them (assign and seek, no group, nothing committed): how {@code rebound dlq replay} gets the
 * whole of a request that its dead letter could not repeat. Each read is bounded by the timeout.
 *
 * <p>An offset below the partition's first offset was removed by retention (or by
 * {@code deleteRecords}); one at or past its last stable offset was never written there, or is in a
 * transaction still open; one inside that range with no committed record (compacted away, or
 * written by an aborted transaction) is not there either. Each says so in its own words.
 */
public final class SourceRecordReader implements AutoCloseable {

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Duration timeout;

    public SourceRecordReader(final Map<String, Object> clientProps, final Duration timeout) {
        final Map<String, Object> props = new HashMap<>(clientProps);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        // a seek below the log start must say so, not jump silently to either end
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        this.consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.timeout = timeout;
    }

    /** The record at {@code source}, or why it cannot be had. */
    public ReplayPlan.Original read(final Source source) {
        final TopicPartition tp = new TopicPartition(source.topic(), source.partition());
        try {
            final boolean exists = consumer.partitionsFor(source.topic(), timeout).stream()
                    .anyMatch(p -> p.partition() == source.partition());
            if (!exists) {
                return new ReplayPlan.Unavailable("partition " + tp + " does not exist");
            }
            consumer.assign(List.of(tp));
            final long first = consumer.beginningOffsets(List.of(tp), timeout).get(tp);
            final long end = consumer.endOffsets(List.of(tp), timeout).get(tp);
            if (source.offset() < first) {
                return removed(tp, first);
            }
            if (source.offset() >= end) {
                return new ReplayPlan.Unavailable("it is not there: " + tp + " ends at offset " + end
                        + " (for read_committed: records of an open transaction are not counted)");
            }
            consumer.seek(tp, source.offset());
            final long until = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < until) {
                for (final ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200)).records(tp)) {
                    if (r.offset() == source.offset()) {
                        return new ReplayPlan.Found(r.value());
                    }
                    if (r.offset() > source.offset()) {
                        return notCommitted(tp, source.offset(), "the next is at " + r.offset());
                    }
                }
                if (consumer.position(tp, timeout) > source.offset()) {
                    return notCommitted(tp, source.offset(), "the consumer moved past it");
                }
            }
            return new ReplayPlan.Unavailable("it could not be read from " + tp + " within " + timeout.toSeconds() + " s");
        } catch (final OffsetOutOfRangeException e) {
            // retention moved the log start between the check and the fetch
            return removed(tp, consumer.beginningOffsets(List.of(tp), timeout).get(tp));
        } catch (final TimeoutException e) {
            return new ReplayPlan.Unavailable("the cluster did not answer for " + tp + " within " + timeout.toSeconds() + " s");
        }
    }

    private static ReplayPlan.Unavailable removed(final TopicPartition tp, final long first) {
        return new ReplayPlan.Unavailable("it was removed by retention: " + tp + " now begins at offset " + first);
    }

    private static ReplayPlan.Unavailable notCommitted(final TopicPartition tp, final long offset, final String next) {
        return new ReplayPlan.Unavailable("it is not there: " + tp + " holds no committed record at offset " + offset + " (" + next
                + "; compacted away, or written by an aborted transaction)");
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
