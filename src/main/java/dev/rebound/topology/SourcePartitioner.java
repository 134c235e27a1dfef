package dev.rebound.topology;

import dev.rebound.lifecycle.InFlightEntry;

import org.apache.kafka.streams.processor.StreamPartitioner;

import java.util.Optional;
import java.util.Set;

/**
 * Sends a waiting request to the delay-tier partition with the number of the {@code agent-calls}
 * partition it came from. Both topics feed the same sub-topology, so that partition belongs to the
 * same task, the one whose in-flight store holds the request: the retry comes home. (Hashing the
 * key would not do: an agent may have chosen the request's partition with its own partitioner.)
 */
final class SourcePartitioner implements StreamPartitioner<String, Object> {

    @Override
    public Optional<Set<Integer>> partitions(final String topic, final String key, final Object value, final int numPartitions) {
        if (value instanceof InFlightEntry e && e.source() != null) {
            return Optional.of(Set.of(e.source().partition() % numPartitions));
        }
        return Optional.empty();
    }
}
