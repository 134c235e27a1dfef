package dev.rebound.cli;

import dev.rebound.admin.TopicSpec;
import dev.rebound.config.ReboundConfig;
import dev.rebound.topology.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;

/**
 * {@code rebound topics create}: the topics of {@code topics/}, created idempotently, with what
 * differs; with {@code --reply-topic NAME}, also a reply topic (DESIGN §2 {@code replyTo}) with the
 * results topic's spec, refused unless {@code results.replyTopics} allows the name.
 */
@Command(name = "topics", mixinStandardHelpOptions = true, description = "Manage Rebound's topics.",
        subcommands = TopicsCommand.Create.class)
public final class TopicsCommand {

    @Mixin
    VerboseOption verbose;

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create the topics from the shipped specs (topics/*.yaml). Existing topics are left as they are, "
                    + "and any difference from the spec is reported (exit code 4 when there is one).")
    static final class Create implements Callable<Integer> {

        @Mixin
        ConfigOption config;

        @Option(names = "--reply-topic", paramLabel = "NAME",
                description = "Also create reply topic NAME (a full topic name, no prefix added) with agent-results' spec; "
                        + "it must match results.replyTopics. Repeatable.")
        List<String> replyTopics = new ArrayList<>();

        @Override
        public Integer call() throws Exception {
            final ReboundConfig cfg = config.loadReachable();
            final List<String> refused = replyTopics.stream().filter(t -> !cfg.results().allows(t)).toList();
            if (!refused.isEmpty()) {
                System.err.println("error: reply topic(s) " + refused + " match none of results.replyTopics " + cfg.results().replyTopics()
                        + "; add a pattern to the configuration first");
                return 2;
            }
            final List<TopicSpec> specs = new ArrayList<>();
            final List<String> prefixes = new ArrayList<>();
            for (final TopicSpec spec : TopicSpec.shipped(cfg.retries().tiers())) {
                specs.add(spec);
                prefixes.add(cfg.topicPrefix());
                if (spec.name().equals(Topics.RESULTS)) {
                    for (final String reply : replyTopics) {
                        specs.add(new TopicSpec(reply, spec.partitions(), spec.replicationFactor(), spec.config()));
                        prefixes.add("");
                    }
                }
            }
            int differing = 0;
            try (Admin admin = Admin.create(ConfigOption.clientProperties(cfg))) {
                for (int i = 0; i < specs.size(); i++) {
                    final TopicSpec spec = specs.get(i);
                    final NewTopic topic = spec.toNewTopic(prefixes.get(i), Optional.empty());
                    try {
                        admin.createTopics(List.of(topic)).all().get();
                        System.out.println("created  " + topic.name() + " (" + spec.partitions() + " partitions)");
                    } catch (final ExecutionException e) {
                        if (!(e.getCause() instanceof TopicExistsException)) {
                            throw new IllegalStateException("cannot create " + topic.name() + ": " + e.getCause().getMessage(), e.getCause());
                        }
                        final List<String> diff = spec.differences(partitions(admin, topic.name()), configs(admin, topic.name()),
                                spec.partitions());
                        if (diff.isEmpty()) {
                            System.out.println("exists   " + topic.name());
                        } else {
                            differing++;
                            System.out.println("differs  " + topic.name() + ": " + String.join("; ", diff));
                        }
                    }
                }
            }
            return differing == 0 ? 0 : 4;
        }

        private static int partitions(final Admin admin, final String topic) throws Exception {
            return admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
        }

        private static Map<String, String> configs(final Admin admin, final String topic) throws Exception {
            final ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            final Config config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
            final Map<String, String> out = new HashMap<>();
            for (final ConfigEntry e : config.entries()) {
                out.put(e.name(), e.value());
            }
            return out;
        }
    }
}
