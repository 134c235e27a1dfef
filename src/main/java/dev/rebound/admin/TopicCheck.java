package dev.rebound.admin;

import dev.rebound.config.ReboundConfig;
import dev.rebound.topology.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Checks, before the processor starts, that Rebound's topics exist and that every delay-tier topic
 * has as many partitions as {@code agent-calls}: a waiting request must come back to the
 * task that holds its in-flight entry. Fails with a message naming the topic and the fix.
 */
public final class TopicCheck {

    private TopicCheck() {
    }

    public static void verify(final Admin admin, final ReboundConfig config, final Duration timeout)
            throws InterruptedException, TimeoutException {
        final long until = System.nanoTime() + timeout.toNanos();
        while (true) {
            final List<String> problems = check(admin, config, timeout);
            if (problems.isEmpty()) {
                return;
            }
            // a topic created a moment ago may not be in every broker's metadata yet: ask again
            final boolean onlyUnknown = problems.stream().allMatch(p -> p.startsWith(UNKNOWN));
            if (!onlyUnknown || System.nanoTime() > until) {
                throw new IllegalStateException("topics are not ready: " + String.join("; ", problems)
                        + ". Run `rebound topics create --config FILE`, and give every agent-calls-retry-* topic the partition count of "
                        + new Topics(config.topicPrefix()).calls() + ".");
            }
            TimeUnit.MILLISECONDS.sleep(250);
        }
    }

    private static final String UNKNOWN = "missing: ";

    private static List<String> check(final Admin admin, final ReboundConfig config, final Duration timeout)
            throws InterruptedException, TimeoutException {
        final Topics topics = new Topics(config.topicPrefix());
        final List<String> names = new ArrayList<>();
        names.add(topics.calls());
        config.retries().tiers().forEach(t -> names.add(topics.retryTier(t)));
        final int coPartitioned = names.size();
        // the rest must exist; their partition counts are free
        names.addAll(List.of(topics.results(), topics.deadLetters(), topics.outcomes(), topics.circuits(), topics.control(), topics.quota()));
        final List<String> problems = new ArrayList<>();
        final Map<String, KafkaFuture<TopicDescription>> futures =
                admin.describeTopics(names).topicNameValues();
        Integer callsPartitions = null;
        for (int i = 0; i < names.size(); i++) {
            final String name = names.get(i);
            try {
                final int partitions = futures.get(name).get(timeout.toMillis(), TimeUnit.MILLISECONDS).partitions().size();
                if (i >= coPartitioned) {
                    continue;
                }
                if (callsPartitions == null) {
                    callsPartitions = partitions;
                } else if (partitions != callsPartitions) {
                    problems.add(name + " has " + partitions + " partitions but " + topics.calls() + " has " + callsPartitions);
                }
            } catch (final ExecutionException e) {
                problems.add(e.getCause() instanceof UnknownTopicOrPartitionException
                        ? UNKNOWN + name : name + ": " + e.getCause().getMessage());
            }
        }
        return problems;
    }
}
