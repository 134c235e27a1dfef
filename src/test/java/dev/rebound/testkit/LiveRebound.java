package dev.rebound.testkit;

import dev.rebound.app.ReboundStreams;
import dev.rebound.config.ReboundConfig;
import dev.rebound.demo.TerminalCounter;
import dev.rebound.execute.HttpTargetExecutor;
import dev.rebound.execute.TargetPool;
import dev.rebound.metrics.ReboundMetrics;
import dev.rebound.sim.SimScenario;
import dev.rebound.sim.Simulator;
import dev.rebound.topology.Topics;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/**
 * A running Rebound on the shared broker, for tests of the command line against a live system:
 * fresh topics, a simulator (healthy unless told otherwise), the configuration written to a file
 * (as a user would pass it with {@code --config}), the processor, a producer of requests and a
 * read_committed counter. The processor can be restarted on its state directory and application id.
 */
public final class LiveRebound implements AutoCloseable {

    /** The YAML of an isolated Rebound, given its broker, topic prefix, state directory and simulator port. */
    @FunctionalInterface
    public interface Yaml {
        String of(String bootstrap, String prefix, Path stateDir, int simulatorPort);
    }

    private final Simulator sim;
    private final Requests requests;
    private final TerminalCounter counter;
    private final Path configFile;
    private final ReboundConfig config;
    private final Topics topics;
    private volatile ReboundStreams streams;

    private LiveRebound(final Simulator sim, final Requests requests, final TerminalCounter counter, final ReboundStreams streams,
                        final Path configFile, final ReboundConfig config, final Topics topics) {
        this.sim = sim;
        this.requests = requests;
        this.counter = counter;
        this.streams = streams;
        this.configFile = configFile;
        this.config = config;
        this.topics = topics;
    }

    public static LiveRebound start(final Path dir, final int partitions, final int maxInFlight) throws Exception {
        return start(dir, partitions, SimScenario.named("healthy"), 2,
                (bootstrap, prefix, state, port) -> IntegrationConfig.yaml(bootstrap, prefix, state, port, maxInFlight));
    }

    /** Fresh topics, a simulator playing {@code scenario}, and a processor configured by {@code yaml}. */
    public static LiveRebound start(final Path dir, final int partitions, final SimScenario scenario, final long seed, final Yaml yaml)
            throws Exception {
        final TestBroker kafka = SharedKafka.get();
        final String prefix = SharedKafka.freshTopics(partitions);
        final Topics topics = new Topics(prefix);
        final Simulator sim = Simulator.start(0, scenario, seed);
        final Path config = dir.resolve("rebound.yaml");
        Files.writeString(config, yaml.of(kafka.bootstrapServers(), prefix, dir.resolve("state"), sim.port()));
        final ReboundConfig cfg = IntegrationConfig.parse(Files.readString(config));
        return new LiveRebound(sim, new Requests(kafka.bootstrapServers(), topics.calls()),
                new TerminalCounter(kafka.bootstrapServers(), topics.results(), topics.deadLetters()), processor(cfg), config, cfg, topics);
    }

    private static ReboundStreams processor(final ReboundConfig cfg) throws Exception {
        final ReboundStreams streams = ReboundStreams.start(cfg, TargetPool.http(cfg, HttpTargetExecutor.defaultClient(), Clock.systemUTC()),
                new ReboundMetrics(), Map.of());
        streams.awaitRunning(Duration.ofSeconds(60));
        return streams;
    }

    /** Closes the processor and starts a new one on the same configuration: same application id, same state directory. */
    public void restart() throws Exception {
        stopProcessor();
        startProcessor();
    }

    /** Closes the processor only; the simulator, the producer and the counter keep running. */
    public void stopProcessor() {
        streams.close();
    }

    /** Starts a new processor on the same configuration, after {@link #stopProcessor()}. */
    public void startProcessor() throws Exception {
        streams = processor(config);
    }

    /** The processor's configuration. */
    public ReboundConfig reboundConfig() {
        return config;
    }

    public Topics topics() {
        return topics;
    }

    public Simulator sim() {
        return sim;
    }

    public Requests requests() {
        return requests;
    }

    public TerminalCounter counter() {
        return counter;
    }

    public ReboundStreams streams() {
        return streams;
    }

    /** The configuration file, for {@code --config}. */
    public String config() {
        return configFile.toString();
    }

    @Override
    public void close() {
        streams.close();
        counter.close();
        requests.close();
        sim.close();
    }
}
