package dev.rebound.admin;

import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.concurrent.ExecutionException;

/**
 * A real single-node KRaft broker in this JVM, from Kafka's own test kit (DESIGN §11). Used by
 * {@code rebound demo}, {@code rebound bench} and the integration tests; configured so that
 * transactions work on one broker.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private final KafkaClusterTestKit cluster;

    private EmbeddedKafka(final KafkaClusterTestKit cluster) {
        this.cluster = cluster;
    }

    public static EmbeddedKafka start() throws Exception {
        // a directory of our own: the test kit's default one is deleted by a JVM shutdown hook of
        // Kafka's TestUtils, which on Ctrl-C races the orderly close (the broker then finds its
        // checkpoint files gone); close() deletes this one
        final Path dir = Files.createTempDirectory("rebound-kafka");
        final KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(
                new TestKitNodes.Builder().setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).setBaseDirectory(dir).build())
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("offsets.topic.num.partitions", "3")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .setConfigProp("broker.session.timeout.ms", "2000")
                .setConfigProp("broker.heartbeat.interval.ms", "500")
                .setConfigProp("auto.create.topics.enable", "false")
                .build();
        formatQuietly(cluster);
        cluster.startup();
        cluster.waitForReadyBrokers();
        return new EmbeddedKafka(cluster);
    }

    /**
     * Formats the log directories. The test kit prints the bootstrap metadata and the directory
     * it formats to standard output, which is the command's own output (the demo's summary, the
     * lines of {@code rebound dev}); nothing else runs yet that could print meanwhile.
     */
    private static void formatQuietly(final KafkaClusterTestKit cluster) throws Exception {
        final PrintStream out = System.out;
        System.setOut(new PrintStream(OutputStream.nullOutputStream()));
        try {
            cluster.format();
        } finally {
            System.setOut(out);
        }
    }

    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    /**
     * Creates the topics, ignoring those that exist, and returns once every one of them is in the
     * broker's metadata (see {@link TopicCreator}).
     */
    public void createTopics(final Collection<NewTopic> topics) throws InterruptedException, ExecutionException {
        TopicCreator.createAndAwait(bootstrapServers(), topics);
    }

    /**
     * Stops the broker and starts it again on the same port and log directories, keeping the
     * controller: what a rolling restart of a one-broker cluster looks like to clients.
     */
    public void restartBroker() throws Exception {
        final var broker = cluster.brokers().values().iterator().next();
        final String before = bootstrapServers();
        broker.shutdown();
        broker.awaitShutdown();
        broker.startup();
        cluster.waitForReadyBrokers();
        if (!before.equals(bootstrapServers())) {
            throw new IllegalStateException("the broker came back on " + bootstrapServers() + ", not " + before);
        }
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }
}
