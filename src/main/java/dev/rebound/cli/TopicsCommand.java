package dev.rebound.cli;

import dev.rebound.config.ReboundConfig;
import dev.rebound.ops.TopicSpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;

/** {@code rebound topics create}: the topics of {@code topics/}, created idempotently. */
@Command(name = "topics", mixinStandardHelpOptions = true, description = "Manage Rebound's topics.",
        subcommands = TopicsCommand.Create.class)
public final class TopicsCommand {

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create the topics from the shipped specs (topics/*.yaml); existing topics are left as they are.")
    static final class Create implements Callable<Integer> {

        @Mixin
        ConfigOption config;

        @Override
        public Integer call() throws Exception {
            final ReboundConfig cfg = config.load();
            try (Admin admin = Admin.create(ConfigOption.clientProperties(cfg))) {
                for (final TopicSpec spec : TopicSpec.shipped(cfg.retries().tiers())) {
                    final NewTopic topic = spec.toNewTopic(cfg.topicPrefix(), Optional.empty());
                    try {
                        admin.createTopics(List.of(topic)).all().get();
                        System.out.println("created  " + topic.name() + " (" + spec.partitions() + " partitions)");
                    } catch (final ExecutionException e) {
                        if (!(e.getCause() instanceof TopicExistsException)) {
                            throw new IllegalStateException("cannot create " + topic.name() + ": " + e.getCause().getMessage(), e.getCause());
                        }
                        System.out.println("exists   " + topic.name());
                    }
                }
            }
            return 0;
        }
    }
}
