package dev.rebound.app;

import dev.rebound.config.ReboundConfig;
import dev.rebound.config.TargetConfig;
import dev.rebound.execute.TargetPool;
import dev.rebound.metrics.ReboundMetrics;
import dev.rebound.topology.ReboundTopology;
import dev.rebound.topology.StreamsSettings;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A running Rebound processor: the Kafka Streams instance and the target pool it calls through. */
public final class ReboundStreams implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ReboundStreams.class);

    private final KafkaStreams streams;
    private final SelfHealth health;
    private final ReboundConfig config;
    private final Optional<HostInfo> server;
    /** Which reply topics exist, when any are allowed; closed with the streams. */
    private ReplyTopicCheck replyTopics;

    private ReboundStreams(final KafkaStreams streams, final SelfHealth health, final ReboundConfig config, final Optional<HostInfo> server) {
        this.streams = streams;
        this.health = health;
        this.config = config;
        this.server = server;
    }

    /**
     * Starts the processor. {@code overrides} are applied over the configuration's Kafka
     * properties (the demo uses them for its broker address and state directory; {@code rebound run}
     * for {@code application.server}, see {@link StreamsSettings#opsServer}).
     */
    public static ReboundStreams start(final ReboundConfig config, final TargetPool pool, final ReboundMetrics metrics,
                                       final Map<String, String> overrides) {
        final Properties props = StreamsSettings.of(config);
        props.putAll(overrides);
        for (final TargetConfig t : config.targets().values()) {
            if (t.kind() == TargetConfig.Kind.CALL) {
                metrics.gauge("rebound.in.flight", "Calls running now against a target from this instance",
                        Tags.of("target", t.name()), pool, p -> p.inFlight(t.name()));
                metrics.gauge("rebound.concurrency.limit", "Calls this instance may have in flight to a target now "
                        + "(maxInFlight, or the adaptive limit of concurrency: auto)", Tags.of("target", t.name()), pool,
                        p -> p.concurrencyLimit(t.name()));
                metrics.gauge("rebound.calls.last.minute", "Calls started against a target from this instance over the last 60 s",
                        Tags.of("target", t.name()), pool, p -> p.slots(t.name()).startedLastMinute());
            }
        }
        metrics.gauge("rebound.delay.waiting", "Requests waiting in the delay path (retries and deferrals) on this instance",
                Tags.empty(), metrics, ReboundMetrics::delayWaiting);
        final ReplyTopicCheck replyTopics = config.results().replyTopics().isEmpty() ? null
                : new ReplyTopicCheck(Admin.create(new StreamsConfig(props).getAdminConfigs("rebound-reply-topics")), config.results());
        final KafkaStreams streams = new KafkaStreams(ReboundTopology.build(config, pool, metrics, SplittableRandom::new,
                replyTopics != null ? replyTopics : topic -> true), props);
        // Kafka Streams' own metrics (and its clients') on the same /metrics as Rebound's
        new KafkaStreamsMetrics(streams).bindTo(metrics.registry());
        streams.setUncaughtExceptionHandler(exception -> {
            // a bug or a fatal Kafka error reached the thread; a fresh thread resumes from the
            // last commit, and exactly-once keeps the terminal records single
            LOG.error("stream thread failed; replacing it", exception);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streams.setStateListener((now, before) -> logState(streams, now, before));
        final SelfHealth.Restorations restorations = new SelfHealth.Restorations();
        streams.setGlobalStateRestoreListener(restorations);
        // the same client settings as the streams' own admin (bootstrap, SASL/SSL), for the broker check
        final SelfHealth health = new SelfHealth(streams, metrics, restorations,
                Admin.create(new StreamsConfig(props).getAdminConfigs("rebound-health")));
        streams.start();
        final String server = props.getProperty(StreamsConfig.APPLICATION_SERVER_CONFIG, "");
        final ReboundStreams started = new ReboundStreams(streams, health, config,
                server.isEmpty() ? Optional.empty() : Optional.of(HostInfo.buildFromEndpoint(server)));
        started.replyTopics = replyTopics;
        return started;
    }

    /**
     * One INFO line per change of state, with the tasks this instance holds once it runs: what an
     * operator of {@code rebound run} wants to see of a rebalance, while Kafka's own loggers, which
     * say it in dozens of lines, stay at WARN.
     */
    private static void logState(final KafkaStreams streams, final KafkaStreams.State now, final KafkaStreams.State before) {
        if (now == KafkaStreams.State.RUNNING) {
            final List<String> tasks = streams.metadataForLocalThreads().stream()
                    .flatMap(thread -> thread.activeTasks().stream()).map(task -> task.taskId().toString()).sorted().toList();
            LOG.info("Kafka Streams {} -> {}: {} active task(s) assigned to this instance {}", before, now, tasks.size(), tasks);
        } else {
            LOG.info("Kafka Streams {} -> {}", before, now);
        }
    }

    /** The processor's own health checks ({@code /health/live}, {@code /health/ready}). */
    public SelfHealth health() {
        return health;
    }

    /** The configuration it runs with. */
    public ReboundConfig config() {
        return config;
    }

    /**
     * Where this instance's ops endpoint answers other instances ({@code application.server}), if
     * set: interactive queries name the instance that owns a key by it.
     */
    public Optional<HostInfo> server() {
        return server;
    }

    public KafkaStreams streams() {
        return streams;
    }

    /** Waits until every stream thread is RUNNING. */
    public void awaitRunning(final Duration timeout) throws TimeoutException, InterruptedException {
        awaitRunning(streams, timeout);
    }

    /** Waits until every stream thread of {@code streams} is RUNNING; throws if it stops or {@code timeout} passes. */
    public static void awaitRunning(final KafkaStreams streams, final Duration timeout) throws TimeoutException, InterruptedException {
        final long until = System.nanoTime() + timeout.toNanos();
        while (streams.state() != KafkaStreams.State.RUNNING) {
            if (System.nanoTime() > until) {
                throw new TimeoutException("Kafka Streams still " + streams.state() + " after " + timeout);
            }
            if (streams.state() == KafkaStreams.State.ERROR || streams.state() == KafkaStreams.State.NOT_RUNNING) {
                throw new IllegalStateException("Kafka Streams stopped: " + streams.state());
            }
            TimeUnit.MILLISECONDS.sleep(50);
        }
    }

    @Override
    public void close() {
        streams.close(Duration.ofSeconds(30));
        health.close();
        if (replyTopics != null) {
            replyTopics.close();
        }
    }
}
