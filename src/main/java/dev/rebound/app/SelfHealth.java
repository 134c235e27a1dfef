package dev.rebound.app;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rebound.metrics.ReboundMetrics;
import dev.rebound.request.Json;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.ThreadMetadata;
import org.apache.kafka.streams.processor.StateRestoreListener;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Rebound's own health, behind {@code /health/live} and {@code /health/ready}: the checks a
 * Kubernetes deployment needs. Live: the streams instance has not failed for good and its
 * punctuators keep running (a wedged stream thread stops them). Ready: additionally every stream
 * thread is RUNNING, no store is being restored, and the broker answers.
 */
public final class SelfHealth implements AutoCloseable {

    /** A punctuator silent for longer than this (while tasks are assigned) means a stuck stream thread. */
    static final Duration PUNCTUATOR_STALE = Duration.ofSeconds(30);
    /** How long a broker check is trusted, so that frequent probes do not each ask the cluster. */
    private static final Duration BROKER_CACHE = Duration.ofSeconds(5);

    /** One check's verdict. */
    public record Check(boolean ok, String detail) {
    }

    /** Counts stores being restored from their changelogs; register before start. */
    public static final class Restorations implements StateRestoreListener {
        private final AtomicInteger active = new AtomicInteger();

        @Override
        public void onRestoreStart(final TopicPartition partition, final String store, final long start, final long end) {
            active.incrementAndGet();
        }

        @Override
        public void onBatchRestored(final TopicPartition partition, final String store, final long batchEnd, final long restored) {
            // progress only
        }

        @Override
        public void onRestoreEnd(final TopicPartition partition, final String store, final long total) {
            active.decrementAndGet();
        }

        @Override
        public void onRestoreSuspended(final TopicPartition partition, final String store, final long restored) {
            active.decrementAndGet();
        }

        int active() {
            return Math.max(0, active.get());
        }
    }

    private final KafkaStreams streams;
    private final ReboundMetrics metrics;
    private final Restorations restorations;
    private final Admin admin;
    private long brokerCheckedAt;
    private Check broker = new Check(false, "not checked yet");

    public SelfHealth(final KafkaStreams streams, final ReboundMetrics metrics, final Restorations restorations, final Admin admin) {
        this.streams = streams;
        this.metrics = metrics;
        this.restorations = restorations;
        this.admin = admin;
    }

    /** Every check, by name. */
    public Map<String, Check> checks() {
        final Map<String, Check> out = new LinkedHashMap<>();
        final KafkaStreams.State s = streams.state();
        out.put("streamsAlive", new Check(s != KafkaStreams.State.ERROR && s != KafkaStreams.State.NOT_RUNNING
                && s != KafkaStreams.State.PENDING_ERROR, "Kafka Streams is " + s));
        out.put("streamsRunning", new Check(s == KafkaStreams.State.RUNNING, "Kafka Streams is " + s));
        final int restoring = restorations.active();
        out.put("storesRestored", new Check(restoring == 0, restoring == 0 ? "no store restoring" : restoring + " store(s) restoring"));
        out.put("punctuatorsAlive", punctuators());
        out.put("brokerReachable", broker());
        out.put("topicsConsistent", metrics.topologyProblem().map(p -> new Check(false, p))
                .orElse(new Check(true, "every delay tier has a partition for each agent-calls partition")));
        return out;
    }

    public boolean live(final Map<String, Check> checks) {
        return checks.get("streamsAlive").ok() && checks.get("punctuatorsAlive").ok();
    }

    public boolean ready(final Map<String, Check> checks) {
        return checks.values().stream().allMatch(Check::ok);
    }

    /** The JSON body of a health endpoint: the verdict and every check. */
    public String json(final String verdictName, final boolean verdict, final Map<String, Check> checks) {
        final ObjectNode root = Json.MAPPER.createObjectNode();
        root.put(verdictName, verdict);
        root.put("state", streams.state().name());
        final ObjectNode c = root.putObject("checks");
        checks.forEach((name, check) -> c.putObject(name).put("ok", check.ok()).put("detail", check.detail()));
        return root.toString();
    }

    private Check punctuators() {
        final boolean hasTasks = streams.metadataForLocalThreads().stream().map(ThreadMetadata::activeTasks).anyMatch(t -> !t.isEmpty());
        if (!hasTasks || streams.state() != KafkaStreams.State.RUNNING) {
            return new Check(true, "no active task to punctuate");
        }
        final Duration age = metrics.punctuatorAge();
        if (age == null) {
            return new Check(true, "tasks assigned; no punctuation yet");
        }
        return age.compareTo(PUNCTUATOR_STALE) <= 0 ? new Check(true, "last punctuation " + age.toMillis() + " ms ago")
                : new Check(false, "no punctuation for " + age.toSeconds() + " s: a stream thread is stuck");
    }

    private synchronized Check broker() {
        final long now = System.nanoTime();
        if (brokerCheckedAt != 0 && now - brokerCheckedAt < BROKER_CACHE.toNanos()) {
            return broker;
        }
        try {
            final int nodes = admin.describeCluster(new DescribeClusterOptions().timeoutMs(2_000)).nodes().get(3, TimeUnit.SECONDS).size();
            broker = new Check(nodes > 0, nodes + " broker(s) answered");
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            broker = new Check(false, "interrupted while asking the cluster");
        } catch (final Exception e) {
            broker = new Check(false, "the cluster did not answer: " + e.getClass().getSimpleName());
        }
        brokerCheckedAt = now;
        return broker;
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
    }
}
