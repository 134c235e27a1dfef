package dev.rebound.testkit;

import dev.rebound.admin.TopicCreator;
import org.apache.kafka.clients.admin.NewTopic;

import java.util.Collection;
import java.util.concurrent.ExecutionException;

/**
 * The broker the integration tests run against, whichever {@link SharedKafka} started: what a test
 * may ask of it is its address and new topics, so that no test depends on where the broker runs.
 */
public interface TestBroker extends AutoCloseable {

    String bootstrapServers();

    /** Creates the topics, ignoring those that exist, and returns once the broker's metadata has them all. */
    default void createTopics(final Collection<NewTopic> topics) throws InterruptedException, ExecutionException {
        TopicCreator.createAndAwait(bootstrapServers(), topics);
    }

    /** Which broker this is, for the line that says which one ran. */
    String description();
}
