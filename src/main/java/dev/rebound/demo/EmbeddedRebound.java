package dev.rebound.demo;

import dev.rebound.admin.EmbeddedKafka;
import dev.rebound.admin.TopicSpec;
import dev.rebound.app.ReboundStreams;
import dev.rebound.config.ConfigLoader;
import dev.rebound.config.ReboundConfig;
import dev.rebound.execute.HttpTargetExecutor;
import dev.rebound.execute.TargetPool;
import dev.rebound.metrics.ReboundMetrics;
import dev.rebound.ops.OpsServer;
import dev.rebound.sim.SimScenario;
import dev.rebound.sim.Simulator;
import dev.rebound.topology.StreamsSettings;
import dev.rebound.topology.Topics;

import java.io.IOException;
import java.io.PrintStream;
import java.net.BindException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;

/**
 * Rebound and everything it needs, in this JVM: a KRaft broker, the simulated endpoint, the
 * topics, the processor and its ops endpoint. {@code rebound demo} runs its load against one;
 * {@code rebound dev} keeps one up until Ctrl-C.
 *
 * <p>The two ports are taken before the broker starts, so that a taken port costs no start-up; a
 * preferred port that is taken gives way to any free one (and says so), since everything that
 * needs the address reads it from {@link #configYaml()} or from the lines printed at start.
 * {@link #close()} stops the processor before the broker, so that it can commit and leave its group.
 */
public final class EmbeddedRebound implements AutoCloseable {

    private static final String LOOPBACK = "127.0.0.1";
    private static final Duration RUNNING_WITHIN = Duration.ofSeconds(60);

    /**
     * @param applicationId Kafka Streams' application id
     * @param scenario      the simulator's scenario at start
     * @param partitions    partitions of {@code agent-calls} and the delay tiers
     * @param circuit       whether the circuit breaker (and with it recovery) is on
     * @param fallback      whether {@code sim-chat} has its fallback chain
     * @param simulatorPort the simulator's port when it is free, else any free one; 0 for any
     * @param opsPort       the ops endpoint's port when it is free, else any free one; 0 for any
     */
    public record Options(String applicationId, SimScenario scenario, int partitions, boolean circuit, boolean fallback,
                          int simulatorPort, int opsPort) {
        public Options {
            if (partitions < 1) {
                throw new IllegalArgumentException("--partitions must be at least 1, was " + partitions);
            }
            if (simulatorPort < 0 || simulatorPort > 65_535 || opsPort < 0 || opsPort > 65_535) {
                throw new IllegalArgumentException("ports must be between 0 and 65535, were " + simulatorPort + " and " + opsPort);
            }
        }
    }

    private final EmbeddedKafka kafka;
    private final Simulator sim;
    private final OpsServer ops;
    private final ReboundStreams processor;
    private final ReboundMetrics metrics;
    private final ReboundConfig config;
    private final String configYaml;
    private final Path stateDir;

    private EmbeddedRebound(final EmbeddedKafka kafka, final Simulator sim, final OpsServer ops, final ReboundStreams processor,
                            final ReboundMetrics metrics, final ReboundConfig config, final String configYaml, final Path stateDir) {
        this.kafka = kafka;
        this.sim = sim;
        this.ops = ops;
        this.processor = processor;
        this.metrics = metrics;
        this.config = config;
        this.configYaml = configYaml;
        this.stateDir = stateDir;
    }

    /** Starts everything and returns once the processor is RUNNING, printing one line per stage to {@code out}. */
    public static EmbeddedRebound start(final Options o, final PrintStream out) throws Exception {
        // what has started, closed in reverse order if a later stage fails
        final Deque<AutoCloseable> started = new ArrayDeque<>();
        final Path stateDir = Files.createTempDirectory(o.applicationId() + "-state");
        started.push(() -> deleteQuietly(stateDir));
        try {
            final OpsServer ops = bindOps(o.opsPort(), out);
            started.push(ops);
            final Simulator sim = startSimulator(o, out);
            started.push(sim);
            out.println("  starting an embedded Kafka broker (KRaft) ...");
            final EmbeddedKafka kafka = EmbeddedKafka.start();
            started.push(kafka);
            out.println("  broker at " + kafka.bootstrapServers() + ", simulated endpoint at " + sim.url("/v1/chat"));
            final String yaml = configYaml(o, kafka.bootstrapServers(), stateDir, sim.port(), ops.port());
            final ReboundConfig config = new ConfigLoader(System::getenv).parse(yaml);
            kafka.createTopics(TopicSpec.newTopics(config.topicPrefix(), o.partitions(), config.retries().tiers()));
            final ReboundMetrics metrics = new ReboundMetrics();
            final ReboundStreams processor = ReboundStreams.start(config,
                    TargetPool.http(config, HttpTargetExecutor.defaultClient(), Clock.systemUTC()), metrics,
                    StreamsSettings.opsServer(config, LOOPBACK, ops.port()));
            started.push(processor);
            ops.serve(metrics, processor);
            processor.awaitRunning(RUNNING_WITHIN);
            out.println("  processor running (exactly_once_v2); metrics at http://" + LOOPBACK + ":" + ops.port() + "/metrics");
            return new EmbeddedRebound(kafka, sim, ops, processor, metrics, config, yaml, stateDir);
        } catch (final Exception | Error e) {
            while (!started.isEmpty()) {
                closeQuietly(started.pop(), e);
            }
            throw e;
        }
    }

    private static OpsServer bindOps(final int port, final PrintStream out) throws IOException {
        try {
            return OpsServer.bind(LOOPBACK, port);
        } catch (final BindException taken) {
            final OpsServer any = OpsServer.bind(LOOPBACK, 0);
            out.println("  port " + port + " is taken by another program: the ops endpoint is on " + any.port() + " instead");
            return any;
        }
    }

    private static Simulator startSimulator(final Options o, final PrintStream out) throws IOException {
        final long seed = 42;
        try {
            return Simulator.start(o.simulatorPort(), o.scenario(), seed);
        } catch (final BindException taken) {
            final Simulator any = Simulator.start(0, o.scenario(), seed);
            out.println("  port " + o.simulatorPort() + " is taken by another program: the simulator is on " + any.port() + " instead");
            return any;
        }
    }

    /**
     * The configuration of this Rebound: its broker, state directory and ops port, one simulated
     * provider group with one callable target, and with {@code fallback} a chain for it: a second
     * simulated provider, the last good response, a static answer. The target sends a secret header
     * ({@code Authorization}) and a header that is configuration, not a secret
     * ({@code anthropic-version}); its 2 s timeout ends every call, stalled ones included.
     */
    static String configYaml(final Options o, final String bootstrap, final Path stateDir, final int simulatorPort, final int opsPort) {
        final String recovery = o.circuit() ? "    recovery: { healthUrl: \"http://127.0.0.1:" + simulatorPort + "/health\", interval: 1s, "
                + "degradeAfter: 2, recoverAfter: 2, rampSteps: [10, 25, 50, 100], stepEvery: 5s }" : "";
        return """
                kafka:
                  bootstrap.servers: "%s"
                  application.id: %s
                  state.dir: "%s"
                ops:
                  port: %d
                targets:
                  sim:
                    kind: group
                    circuit: %s
                  sim-chat:
                    parent: sim
                    url: http://127.0.0.1:%d/v1/chat
                    headers:
                      anthropic-version: "%s"
                      Authorization: "Bearer ${REBOUND_DEMO_API_KEY:-sk-demo-not-a-real-key-0123}"
                    timeout: 2s
                    maxInFlight: 64
                    circuit: %s
                %s
                %s
                  sim-backup:
                    url: http://127.0.0.1:%d/v1/backup
                    timeout: 2s
                    maxInFlight: 64
                """.formatted(bootstrap, o.applicationId(), stateDir, opsPort, circuitYaml(o.circuit()), simulatorPort,
                DemoLoad.HEADER_VALUE, circuitYaml(o.circuit()), recovery, o.fallback() ? FALLBACK_YAML : "", simulatorPort);
    }

    /** Under {@code sim-chat}, indented to sit in its mapping. */
    private static final String FALLBACK_YAML = String.join("\n",
            "    fallback:",
            "      - { target: sim-backup }",
            "      - { cache: { ttl: 10m } }",
            "      - { static: { content: \"The assistant is busy; please try again shortly.\" } }");

    private static String circuitYaml(final boolean circuit) {
        return circuit
                ? "{ consecutiveFailures: 5, failureRate: 0.5, minCalls: 20, openFor: 5s, probes: 3 }"
                : "{ enabled: false }";
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    public Simulator sim() {
        return sim;
    }

    public ReboundStreams processor() {
        return processor;
    }

    public ReboundMetrics metrics() {
        return metrics;
    }

    public ReboundConfig config() {
        return config;
    }

    public Topics topics() {
        return new Topics(config.topicPrefix());
    }

    /** The configuration as YAML: what a command run against this Rebound passes as {@code --config}. */
    public String configYaml() {
        return configYaml;
    }

    /** The ops endpoint's base URL, e.g. {@code http://127.0.0.1:8079}. */
    public String opsUrl() {
        return "http://" + LOOPBACK + ":" + ops.port();
    }

    /** Stops the processor first (it commits and leaves its group while the broker is up), then the simulator and the broker. */
    @Override
    public void close() throws Exception {
        try {
            ops.close();
            processor.close();
            sim.close();
        } finally {
            try {
                kafka.close();
            } finally {
                deleteQuietly(stateDir);
            }
        }
    }

    private static void closeQuietly(final AutoCloseable c, final Throwable cause) {
        try {
            c.close();
        } catch (final Exception e) {
            cause.addSuppressed(e);
        }
    }

    private static void deleteQuietly(final Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (final Exception ignored) {
            // a temp directory; the OS cleans it eventually
        }
    }
}
