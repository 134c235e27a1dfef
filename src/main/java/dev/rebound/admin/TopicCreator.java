package dev.rebound.admin;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Creates topics on any broker and waits until they are visible. Shared by the in-process broker
 * and the test kit's container broker, so that both behave the same to a test: a creation is
 * acknowledged before every broker's metadata has the topic, and a client started right after it
 * must find it.
 */
public final class TopicCreator {

    private TopicCreator() {
    }

    /**
     * Creates the topics on {@code bootstrapServers}, ignoring those that exist, and returns once
     * every one of them is in the broker's metadata (waiting at most 30 s).
     */
    public static void createAndAwait(final String bootstrapServers, final Collection<NewTopic> topics)
            throws InterruptedException, ExecutionException {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers))) {
            for (final NewTopic t : topics) {
                try {
                    admin.createTopics(List.of(t)).all().get();
                } catch (final ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
            final List<String> names = topics.stream().map(NewTopic::name).toList();
            final long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true) {
                try {
                    admin.describeTopics(names).allTopicNames().get();
                    return;
                } catch (final ExecutionException e) {
                    if (!(e.getCause() instanceof UnknownTopicOrPartitionException)
                            || System.nanoTime() > until) {
                        throw e;
                    }
                    TimeUnit.MILLISECONDS.sleep(100);
                }
            }
        }
    }
}
