package dev.rebound.topology;

import dev.rebound.lifecycle.InFlightEntry;
import dev.rebound.metrics.ReboundMetrics;
import dev.rebound.request.AgentRequest;
import dev.rebound.request.Json;
import dev.rebound.request.Source;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class SourcePartitionerTest {

    private final ReboundMetrics metrics = new ReboundMetrics();
    private final SourcePartitioner partitioner = new SourcePartitioner(metrics);

    private static InFlightEntry from(final int partition) {
        final var original = Json.MAPPER.createObjectNode().put("id", "r").put("target", "t");
        original.putObject("payload");
        return InFlightEntry.first("k", AgentRequest.restore(original, null), Instant.EPOCH, new Source("agent-calls", partition, 1));
    }

    @Test
    void shouldSendAWaitingRequestToThePartitionItCameFrom() {
        assertThat(partitioner.partitions("agent-calls-retry-1s", "k", from(4), 6)).isEqualTo(Optional.of(Set.of(4)));
        assertThat(metrics.topologyProblem()).isEmpty();
    }

    @Test
    void shouldRefuseToRouteToAnotherTaskWhenTheTierTopicHasFewerPartitionsAndSaySo() {
        assertThat(partitioner.partitions("agent-calls-retry-1s", "k", from(7), 6)).as("dropped, never mis-routed")
                .isEqualTo(Optional.of(Set.of()));
        assertThat(metrics.topologyProblem()).hasValueSatisfying(p -> assertThat(p)
                .contains("agent-calls-retry-1s has 6 partition(s)").contains("at least 8").contains("--partitions"));
    }
}
