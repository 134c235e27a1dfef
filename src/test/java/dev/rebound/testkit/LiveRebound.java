package dev.rebound.testkit;

import dev.rebound.config.ReboundConfig;
import dev.rebound.execute.HttpTargetExecutor;
import dev.rebound.execute.TargetPool;
import dev.rebound.ops.EmbeddedKafka;
import dev.rebound.ops.ReboundMetrics;
import dev.rebound.ops.SimScenario;
import dev.rebound.ops.Simulator;
import dev.rebound.ops.TerminalCounter;
import dev.rebound.topology.ReboundStreams;
import dev.rebound.topology.Topics;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/**
 * A running Rebound on the shared broker, for tests of the command line against a live system:
 * fresh topics, a healthy simulator, the configuration written to a file (as a user would pass it
 * with {@code --config}), the processor, a producer of requests and a read_committed counter.
 */
public final class LiveRebound implements AutoCloseable {

    private final Simulator sim;
    private final Requests requests;
    private final TerminalCounter counter;
    private final ReboundStreams streams;
    private final Path configFile;
    private final Topics topics;

    private LiveRebound(final Simulator sim, final Requests requests, final TerminalCounter counter, final ReboundStreams streams,
                        final Path configFile, final Topics topics) {
        this.sim = sim;
        this.requests = requests;
        this.counter = counter;
        this.streams = streams;
        this.configFile = configFile;
        this.topics = topics;
    }

    public static LiveRebound start(final Path dir, final int partitions, final int maxInFlight) throws Exception {
        final EmbeddedKafka kafka = SharedKafka.get();
        final String prefix = SharedKafka.freshTopics(partitions);
        final Topics topics = new Topics(prefix);
        final Simulator sim = Simulator.start(0, SimScenario.named("healthy"), 2);
        final Path config = dir.resolve("rebound.yaml");
        Files.writeString(config, IntegrationConfig.yaml(kafka.bootstrapServers(), prefix, dir.resolve("state"), sim.port(), maxInFlight));
        final ReboundConfig cfg = IntegrationConfig.parse(Files.readString(config));
        final ReboundStreams streams = ReboundStreams.start(cfg, TargetPool.http(cfg, HttpTargetExecutor.defaultClient(), Clock.systemUTC()),
                new ReboundMetrics(), Map.of());
        streams.awaitRunning(Duration.ofSeconds(60));
        return new LiveRebound(sim, new Requests(kafka.bootstrapServers(), topics.calls()),
                new TerminalCounter(kafka.bootstrapServers(), topics.results(), topics.deadLetters()), streams, config, topics);
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

    /** Its topics' names (under its own prefix). */
    public Topics topics() {
        return topics;
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
