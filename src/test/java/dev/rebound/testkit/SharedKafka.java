package dev.rebound.testkit;

import dev.rebound.admin.EmbeddedKafka;
import dev.rebound.admin.TopicSpec;
import dev.rebound.config.RetrySettings;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * One broker for the whole test run: starting one costs seconds, so every integration test shares
 * it and isolates itself with its own topic prefix and application id instead. The broker is a
 * Testcontainers container where a Docker engine answers and the in-process KRaft broker otherwise
 * ({@link BrokerChoice}; {@code -Drebound.test.broker=embedded|testcontainers} forces it); the
 * choice is printed once, as {@code SharedKafka: broker = ...}. Stopped by a shutdown hook when
 * the test JVM exits.
 */
public final class SharedKafka {

    private static final AtomicInteger NEXT = new AtomicInteger();
    private static final DockerProbe DOCKER = DockerProbe.testcontainers();
    private static TestBroker broker;

    private SharedKafka() {
    }

    public static synchronized TestBroker get() throws Exception {
        if (broker == null) {
            final BrokerChoice choice = BrokerChoice.decide(System.getProperty(BrokerChoice.PROPERTY), DOCKER::unavailableReason);
            System.out.println(choice.line());
            broker = choice.kind() == BrokerChoice.Kind.TESTCONTAINERS ? ContainerBroker.start() : embedded();
            final TestBroker started = broker;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    started.close();
                } catch (final Exception ignored) {
                    // the JVM is exiting
                }
            }));
        }
        return broker;
    }

    private static TestBroker embedded() throws Exception {
        final EmbeddedKafka kafka = EmbeddedKafka.start();
        return new TestBroker() {
            @Override
            public String bootstrapServers() {
                return kafka.bootstrapServers();
            }

            @Override
            public String description() {
                return "in-process KRaft at " + bootstrapServers();
            }

            @Override
            public void close() throws Exception {
                kafka.close();
            }
        };
    }

    /** A fresh topic prefix, with Rebound's topics created under it. */
    public static String freshTopics(final int partitions) throws Exception {
        final String prefix = "t" + NEXT.incrementAndGet() + "-" + Long.toHexString(System.nanoTime() & 0xffffff) + ".";
        get().createTopics(TopicSpec.newTopics(prefix, partitions, RetrySettings.DEFAULT.tiers()));
        return prefix;
    }
}
