package dev.rebound.integration;

import dev.rebound.admin.TopicCheck;
import dev.rebound.config.ReboundConfig;
import dev.rebound.testkit.Cli;
import dev.rebound.testkit.IntegrationConfig;
import dev.rebound.testkit.SharedKafka;
import dev.rebound.testkit.TestBroker;
import dev.rebound.topology.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class TopicCheckIntegrationTest {

    @TempDir
    Path dir;

    @Test
    void shouldAcceptTopicsCreatedFromTheSpecs() throws Exception {
        final TestBroker kafka = SharedKafka.get();
        final String prefix = SharedKafka.freshTopics(2);
        final ReboundConfig config = IntegrationConfig.parse(IntegrationConfig.yaml(kafka.bootstrapServers(), prefix, Path.of("x"), 1, 1));
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            assertThatCode(() -> TopicCheck.verify(admin, config, Duration.ofSeconds(10))).doesNotThrowAnyException();
        }
    }

    @Test
    void shouldNameAMissingOrMispartitionedTierTopic() throws Exception {
        final TestBroker kafka = SharedKafka.get();
        final String prefix = "check-" + System.nanoTime() + ".";
        final Topics topics = new Topics(prefix);
        kafka.createTopics(List.of(new NewTopic(topics.calls(), 3, (short) 1),
                new NewTopic(topics.retryTier(Duration.ofSeconds(1)), 2, (short) 1)));
        final ReboundConfig config = IntegrationConfig.parse(IntegrationConfig.yaml(kafka.bootstrapServers(), prefix, Path.of("x"), 1, 1));
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            assertThatThrownBy(() -> TopicCheck.verify(admin, config, Duration.ofSeconds(2)))
                    .hasMessageContaining(topics.retryTier(Duration.ofSeconds(1)) + " has 2 partitions but " + topics.calls() + " has 3")
                    .hasMessageContaining("missing: " + topics.retryTier(Duration.ofSeconds(10)))
                    .hasMessageContaining(topics.quota()) // a cluster set up before rate limits lacks it
                    .hasMessageContaining("rebound topics create");
        }
    }

    @Test
    void shouldCreateTheTopicsOnceAndReportWhatDiffers() throws Exception {
        final TestBroker kafka = SharedKafka.get();
        final String prefix = "create-" + System.nanoTime() + ".";
        final Path config = dir.resolve("rebound.yaml");
        Files.writeString(config, IntegrationConfig.yaml(kafka.bootstrapServers(), prefix, dir.resolve("state"), 1, 1));
        final Cli.Run first = Cli.rebound("topics", "create", "--config", config.toString());
        assertThat(first.code()).isZero();
        assertThat(first.out()).contains("created  " + prefix + "agent-calls (6 partitions)", "created  " + prefix + "agent-calls-retry-10m");
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, prefix + "agent-control"),
                    List.of(new AlterConfigOp(new ConfigEntry("cleanup.policy", "delete"), AlterConfigOp.OpType.SET)))).all().get();
            final ConfigResource control = new ConfigResource(ConfigResource.Type.TOPIC, prefix + "agent-control");
            // the change travels from the controller to the broker's metadata before a describe shows it
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    "delete".equals(admin.describeConfigs(List.of(control)).all().get().get(control).get("cleanup.policy").value()));
        }
        final Cli.Run again = Cli.rebound("topics", "create", "--config", config.toString());
        assertThat(again.code()).as("a difference is exit code 4").isEqualTo(4);
        assertThat(again.out()).contains("exists   " + prefix + "agent-calls")
                .contains("differs  " + prefix + "agent-control: cleanup.policy delete, spec compact");
    }

    @Test
    void shouldCreateAReplyTopicThatTheConfigurationAllowsAndRefuseOneItDoesNot() throws Exception {
        final TestBroker kafka = SharedKafka.get();
        final String prefix = "reply-" + System.nanoTime() + ".";
        final Path config = dir.resolve("rebound.yaml");
        Files.writeString(config, IntegrationConfig.yaml(kafka.bootstrapServers(), prefix, dir.resolve("state"), 1, 1)
                + "results:\n  replyTopics: [\"" + prefix + "replies-*\"]\n");

        final Cli.Run refused = Cli.rebound("topics", "create", "--config", config.toString(), "--reply-topic", prefix + "elsewhere");
        assertThat(refused.code()).isEqualTo(2);
        assertThat(refused.err()).contains(prefix + "elsewhere").contains("results.replyTopics");
        assertThat(refused.out()).as("nothing created").doesNotContain("created");

        final Cli.Run created = Cli.rebound("topics", "create", "--config", config.toString(), "--reply-topic", prefix + "replies-planner");
        assertThat(created.code()).isZero();
        assertThat(created.out()).contains("created  " + prefix + "agent-results (6 partitions)")
                .contains("created  " + prefix + "replies-planner (6 partitions)");
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            assertThat(admin.describeTopics(List.of(prefix + "replies-planner")).allTopicNames().get().get(prefix + "replies-planner")
                    .partitions()).hasSize(6);
        }
    }
}
