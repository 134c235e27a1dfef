package dev.rebound.testkit;

import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * A single-node KRaft broker in a container of {@link #IMAGE} (Testcontainers' Kafka module),
 * set up like the in-process one: one replica for the internal topics (Testcontainers' default),
 * no automatic topic creation, no initial rebalance delay.
 */
public final class ContainerBroker implements TestBroker {

    /** The broker image; the one docker-compose.yml runs too (ContainerFilesTest). */
    public static final String IMAGE = "apache/kafka:4.1.0";

    private final KafkaContainer container;

    private ContainerBroker(final KafkaContainer container) {
        this.container = container;
    }

    @SuppressWarnings("resource") // closed by close()
    static ContainerBroker start() {
        final KafkaContainer container = new KafkaContainer(DockerImageName.parse(IMAGE))
                .withEnv("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false")
                .withEnv("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0")
                .withEnv("KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS", "3");
        container.start();
        return new ContainerBroker(container);
    }

    @Override
    public String bootstrapServers() {
        return container.getBootstrapServers();
    }

    @Override
    public String description() {
        return "Testcontainers " + IMAGE + " at " + bootstrapServers();
    }

    @Override
    public void close() {
        container.stop();
    }
}
