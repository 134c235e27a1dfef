package dev.rebound.ops;

import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TopicSpecTest {

    @Test
    void shouldShipASpecForEveryTopic() {
        assertThat(TopicSpec.shipped()).extracting(TopicSpec::name)
                .containsExactly("agent-calls", "agent-results", "agent-dead-letters", "agent-circuits", "agent-control");
    }

    @Test
    void shouldCompactTheStateTopicsAndKeepTheirPartitionsWhenOverriding() {
        final List<NewTopic> topics = TopicSpec.newTopics("x.", 3);
        assertThat(topics).extracting(NewTopic::name).contains("x.agent-calls", "x.agent-circuits");
        final NewTopic calls = topics.stream().filter(t -> t.name().equals("x.agent-calls")).findFirst().orElseThrow();
        final NewTopic circuits = topics.stream().filter(t -> t.name().equals("x.agent-circuits")).findFirst().orElseThrow();
        assertThat(calls.numPartitions()).isEqualTo(3);
        assertThat(circuits.numPartitions()).isEqualTo(1);
        assertThat(circuits.configs()).containsEntry("cleanup.policy", "compact");
        assertThat(calls.configs()).containsEntry("cleanup.policy", "delete");
    }
}
