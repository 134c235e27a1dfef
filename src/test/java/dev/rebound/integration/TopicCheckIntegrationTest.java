package dev.rebound.integration;

import dev.rebound.config.ReboundConfig;
import dev.rebound.ops.EmbeddedKafka;
import dev.rebound.ops.TopicCheck;
import dev.rebound.testkit.IntegrationConfig;
import dev.rebound.testkit.SharedKafka;
import dev.rebound.topology.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TopicCheckIntegrationTest {

    @Test
    void shouldAcceptTopicsCreatedFromTheSpecs() throws Exception {
        final EmbeddedKafka kafka = SharedKafka.get();
        final String prefix = SharedKafka.freshTopics(2);
        final ReboundConfig config = IntegrationConfig.parse(IntegrationConfig.yaml(kafka.bootstrapServers(), prefix, Path.of("x"), 1, 1));
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            assertThatCode(() -> TopicCheck.verify(admin, config, Duration.ofSeconds(10))).doesNotThrowAnyException();
        }
    }

    @Test
    void shouldNameAMissingOrMispartitionedTierTopic() throws Exception {
        final EmbeddedKafka kafka = SharedKafka.get();
        final String prefix = "check-" + System.nanoTime() + ".";
        final Topics topics = new Topics(prefix);
        kafka.createTopics(List.of(new NewTopic(topics.calls(), 3, (short) 1),
                new NewTopic(topics.retryTier(Duration.ofSeconds(1)), 2, (short) 1)));
        final ReboundConfig config = IntegrationConfig.parse(IntegrationConfig.yaml(kafka.bootstrapServers(), prefix, Path.of("x"), 1, 1));
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            assertThatThrownBy(() -> TopicCheck.verify(admin, config, Duration.ofSeconds(2)))
                    .hasMessageContaining(topics.retryTier(Duration.ofSeconds(1)) + " has 2 partitions but " + topics.calls() + " has 3")
                    .hasMessageContaining("missing: " + topics.retryTier(Duration.ofSeconds(10)))
                    .hasMessageContaining("rebound topics create");
        }
    }
}
