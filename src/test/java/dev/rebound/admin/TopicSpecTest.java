package dev.rebound.admin;

import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class TopicSpecTest {

    @Test
    void shouldShipASpecForEveryTopic() {
        assertThat(TopicSpec.shipped(List.of(Duration.ofSeconds(1), Duration.ofMinutes(10)))).extracting(TopicSpec::name)
                .containsExactly("agent-calls", "agent-results", "agent-dead-letters", "agent-circuits", "agent-control", "agent-circuit-outcomes", "agent-quota", "agent-dead-letters-replayed",
                        "agent-calls-retry-1s", "agent-calls-retry-10m");
    }

    @Test
    void shouldCompactTheStateTopicsAndKeepTheirPartitionsWhenOverriding() {
        final List<NewTopic> topics = TopicSpec.newTopics("x.", 3, List.of(Duration.ofSeconds(10)));
        assertThat(topics).extracting(NewTopic::name).contains("x.agent-calls", "x.agent-circuits");
        final NewTopic calls = topics.stream().filter(t -> t.name().equals("x.agent-calls")).findFirst().orElseThrow();
        final NewTopic circuits = topics.stream().filter(t -> t.name().equals("x.agent-circuits")).findFirst().orElseThrow();
        assertThat(calls.numPartitions()).isEqualTo(3);
        assertThat(circuits.numPartitions()).isEqualTo(1);
        assertThat(circuits.configs()).containsEntry("cleanup.policy", "compact");
        assertThat(calls.configs()).containsEntry("cleanup.policy", "delete");
        final NewTopic tier = topics.stream().filter(t -> t.name().equals("x.agent-calls-retry-10s")).findFirst().orElseThrow();
        assertThat(tier.numPartitions()).as("a tier topic is co-partitioned with agent-calls").isEqualTo(3);
    }

    @Test
    void shouldSayHowAnExistingTopicDiffersFromItsSpec() {
        final TopicSpec circuits = TopicSpec.shipped(List.of()).get(3);
        assertThat(circuits.differences(1, Map.of("cleanup.policy", "compact", "min.compaction.lag.ms", "0"), 1)).isEmpty();
        assertThat(circuits.differences(4, Map.of("cleanup.policy", "delete", "min.compaction.lag.ms", "0"), 1))
                .containsExactly("partitions 4, spec 1", "cleanup.policy delete, spec compact");
    }
}
