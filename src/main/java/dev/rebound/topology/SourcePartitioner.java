package dev.rebound.topology;

import dev.rebound.lifecycle.InFlightEntry;

import dev.rebound.metrics.ReboundMetrics;
import org.apache.kafka.streams.processor.StreamPartitioner;

import java.util.Optional;
import java.util.Set;

/**
 * Sends a waiting request to the delay-tier partition with the number of the {@code agent-calls}
 * partition it came from. Both topics feed the same sub-topology, so that partition belongs to the
 * same task, the one whose in-flight store holds the request: the retry comes home. (Hashing the
 * key would not do: an agent may have chosen the request's partition with its own partitioner.)
 *
 * <p>When {@code agent-calls} has gained partitions and a tier topic has not, partition {@code p}
 * has no twin: any other partition would bring the record to a task that does not hold the
 * request. Such a record is dropped instead (the task that wrote it has set the request's timer
 * in its own store, so the retry still fires), and the mismatch is reported: the instance says
 * not-ready, naming the topic and the fix, until the topic has the partitions.
 */
final class SourcePartitioner implements StreamPartitioner<String, Object> {

    private final ReboundMetrics metrics;

    SourcePartitioner(final ReboundMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public Optional<Set<Integer>> partitions(final String topic, final String key, final Object value, final int numPartitions) {
        if (value instanceof InFlightEntry e && e.source() != null) {
            final int p = e.source().partition();
            if (p >= numPartitions) {
                metrics.topologyProblem(topic + " has " + numPartitions + " partition(s) but " + e.source().topic() + " has at least "
                        + (p + 1) + "; give it as many (kafka-topics --alter --topic " + topic + " --partitions N, or rebound topics create"
                        + " after raising partitions in topics/) and restart; retries still fire from each task's timer store meanwhile");
                return Optional.of(Set.of());
            }
            return Optional.of(Set.of(p));
        }
        return Optional.empty();
    }
}
