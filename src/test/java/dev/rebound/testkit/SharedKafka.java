package dev.rebound.testkit;

import dev.rebound.admin.EmbeddedKafka;
import dev.rebound.admin.TopicSpec;
import dev.rebound.config.RetrySettings;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * One embedded KRaft broker for the whole test run: starting one costs about five seconds, so
 * every integration test shares it and isolates itself with its own topic prefix and application
 * id instead. Stopped by a shutdown hook when the test JVM exits.
 */
public final class SharedKafka {

    private static final AtomicInteger NEXT = new AtomicInteger();
    private static EmbeddedKafka kafka;

    private SharedKafka() {
    }

    public static synchronized EmbeddedKafka get() throws Exception {
        if (kafka == null) {
            kafka = EmbeddedKafka.start();
            final EmbeddedKafka started = kafka;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    started.close();
                } catch (final Exception ignored) {
                    // the JVM is exiting
                }
            }));
        }
        return kafka;
    }

    /** A fresh topic prefix, with Rebound's topics created under it. */
    public static String freshTopics(final int partitions) throws Exception {
        final String prefix = "t" + NEXT.incrementAndGet() + "-" + Long.toHexString(System.nanoTime() & 0xffffff) + ".";
        get().createTopics(TopicSpec.newTopics(prefix, partitions, RetrySettings.DEFAULT.tiers()));
        return prefix;
    }
}
