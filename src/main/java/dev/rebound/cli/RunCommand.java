package dev.rebound.cli;

import dev.rebound.admin.TopicCheck;
import dev.rebound.app.ReboundStreams;
import dev.rebound.config.ReboundConfig;
import dev.rebound.config.TargetConfig;
import dev.rebound.execute.HttpTargetExecutor;
import dev.rebound.execute.TargetPool;
import dev.rebound.metrics.ReboundMetrics;
import dev.rebound.ops.OpsServer;
import dev.rebound.topology.StreamsSettings;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** {@code rebound run}: the production processor against the configured cluster. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the processor against the cluster in the configuration's kafka.bootstrap.servers.")
public final class RunCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

    @Mixin
    ConfigOption config;

    /** Read by {@link ConsoleLogs} before the command runs, to choose the console's format. */
    @Option(names = "--log-format", defaultValue = "text", paramLabel = "text|json",
            description = "How to write the log to standard error: text, one line per event (default), or json, one JSON object per "
                    + "line (timestamp, level, threadName, loggerName, mdc, formattedMessage, throwable) for log shippers.")
    LogFormat logFormat;

    @Override
    public Integer call() throws Exception {
        final ReboundConfig cfg = config.load();
        if (!cfg.kafka().containsKey("bootstrap.servers")) {
            throw new IllegalArgumentException(config.file + ": kafka.bootstrap.servers is required for 'run'");
        }
        // the ops port first: a taken port stops start-up before the cluster is asked anything
        try (OpsServer ops = cfg.ops().enabled() ? OpsServer.bind(cfg.ops().bind(), cfg.ops().port()) : null) {
            return run(cfg, ops);
        }
    }

    /** Runs until the JVM is asked to stop (exit 0), or until Kafka Streams fails for good (exit 1, so a supervisor restarts it). */
    private int run(final ReboundConfig cfg, final OpsServer ops) throws Exception {
        config.awaitCluster(cfg);
        try (Admin admin = Admin.create(ConfigOption.clientProperties(cfg))) {
            TopicCheck.verify(admin, cfg, Duration.ofSeconds(30));
        }
        final TargetPool pool = TargetPool.http(cfg, HttpTargetExecutor.defaultClient(), Clock.systemUTC());
        final ReboundMetrics metrics = new ReboundMetrics();
        final CountDownLatch stop = new CountDownLatch(1);
        // application.server: where the other instances forward GET /requests/{key}/{id} for a key this one owns
        final Map<String, String> server = ops == null ? Map.of() : StreamsSettings.opsServer(cfg, cfg.ops().bind(), ops.port());
        try (ReboundStreams rebound = ReboundStreams.start(cfg, pool, metrics, server)) {
            if (ops != null) {
                ops.serve(metrics, rebound);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                rebound.close();
                stop.countDown();
            }, "rebound-shutdown"));
            LOG.info("Rebound running with targets {}{}", cfg.targets().keySet(),
                    ops == null ? "" : "; ops endpoint on http://" + cfg.ops().bind() + ":" + ops.port() + "/metrics");
            while (!stop.await(1, TimeUnit.SECONDS)) {
                final KafkaStreams.State state = rebound.streams().state();
                if (state == KafkaStreams.State.ERROR || state == KafkaStreams.State.NOT_RUNNING) {
                    LOG.error("Kafka Streams is {}: this instance cannot process any more; exiting with status 1 (see the errors above)", state);
                    return 1;
                }
            }
            return 0;
        }
    }
}
