package dev.rebound.bench;

import dev.rebound.admin.EmbeddedKafka;
import dev.rebound.admin.TopicSpec;
import dev.rebound.app.ReboundStreams;
import dev.rebound.config.ConfigLoader;
import dev.rebound.config.ReboundConfig;
import dev.rebound.config.RetrySettings;
import dev.rebound.demo.ProgressLine;
import dev.rebound.execute.TargetPool;
import dev.rebound.metrics.ReboundMetrics;
import dev.rebound.topology.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** What every scenario shares: the one embedded broker, a scratch directory, the progress line. */
final class BenchContext {

    private static final AtomicInteger NEXT = new AtomicInteger();

    final EmbeddedKafka kafka;
    final Path dir;
    private final PrintStream out;
    private final ProgressLine progress;
    private String scenario = "";

    BenchContext(final EmbeddedKafka kafka, final Path dir, final PrintStream out, final ProgressLine progress) {
        this.kafka = kafka;
        this.dir = dir;
        this.out = out;
        this.progress = progress;
    }

    void begin(final String name) {
        scenario = name;
        progress("starting");
    }

    /** Rewrites the progress line (on a terminal; elsewhere a plain line now and then). */
    void progress(final String what) {
        progress.show(String.format("  %-13s %s", scenario, what.length() > 70 ? what.substring(0, 70) : what));
    }

    /** Ends the scenario's progress line with {@code what}, whatever the time. */
    void done(final String what) {
        progress.finish(String.format("  %-13s %s", scenario, what));
    }

    /** A line under the progress line, for something the figures alone do not say. */
    void note(final String what) {
        progress.breakLine();
        out.printf("  note: %s%n", what);
    }

    String bootstrap() {
        return kafka.bootstrapServers();
    }

    /** A fresh topic prefix with Rebound's topics created under it ({@code partitions} each). */
    String freshTopics(final int partitions) throws Exception {
        final String prefix = "b" + NEXT.incrementAndGet() + ".";
        kafka.createTopics(TopicSpec.newTopics(prefix, partitions, RetrySettings.DEFAULT.tiers()));
        return prefix;
    }

    /** The start of a Rebound configuration isolated under {@code prefix}; targets follow. */
    String header(final String prefix) throws Exception {
        return header(prefix, "");
    }

    /** @param kafkaLines more {@code key: value} lines for the {@code kafka:} section */
    String header(final String prefix, final String kafkaLines) throws Exception {
        return header(prefix, kafkaLines, prefix + "state", "ops: { enabled: false }");
    }

    /**
     * The start of the configuration of one processor instance among several of the application
     * under {@code prefix}: Kafka Streams locks its state directory, so two instances of one
     * application on one machine each need their own; and each its own ops endpoint on
     * {@code opsPort}, to be asked whether it runs.
     *
     * @param instance names the instance's state directory; an instance restarted in place reuses it
     */
    String instanceHeader(final String prefix, final String instance, final int opsPort) throws Exception {
        return header(prefix, "", prefix + "state-" + instance, "ops: { enabled: true, bind: 127.0.0.1, port: " + opsPort + " }");
    }

    private String header(final String prefix, final String kafkaLines, final String stateName, final String opsLine) throws Exception {
        final Path state = Files.createDirectories(dir.resolve(stateName));
        return """
                kafka:
                  bootstrap.servers: %s
                  application.id: %sapp
                  state.dir: %s
                  consumer.session.timeout.ms: "6000"
                  consumer.heartbeat.interval.ms: "1000"
                %s
                topics:
                  prefix: %s
                %s
                """.formatted(bootstrap(), prefix, state, kafkaLines.isEmpty() ? "" : "  " + kafkaLines, prefix, opsLine);
    }

    /** A port free on 127.0.0.1 now (another process could still take it before it is bound). */
    static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static ReboundConfig parse(final String yaml) {
        return new ConfigLoader(Map.<String, String>of()::get).parse(yaml);
    }

    ReboundStreams start(final ReboundConfig config, final TargetPool pool, final ReboundMetrics metrics) throws Exception {
        final ReboundStreams rebound = ReboundStreams.start(config, pool, metrics, Map.of());
        rebound.awaitRunning(Duration.ofSeconds(90));
        return rebound;
    }

    KafkaProducer<String, byte[]> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(),
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true", ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, "5"), new StringSerializer(), new ByteArraySerializer());
    }

    /**
     * Starts a plain Kafka Streams application (the comparison side of a scenario) with the same
     * Kafka settings Rebound runs with, and waits until it runs.
     */
    org.apache.kafka.streams.KafkaStreams startPlain(final org.apache.kafka.streams.Topology topology, final String name,
                                                     final int threads) throws Exception {
        final java.util.Properties props = dev.rebound.topology.StreamsSettings.of(parse(header(name + System.nanoTime() + ".")
                + "targets: { x: { url: 'http://127.0.0.1:9/x' } }"));
        props.put(org.apache.kafka.streams.StreamsConfig.APPLICATION_ID_CONFIG, "bench-" + name + "-" + System.nanoTime());
        props.put(org.apache.kafka.streams.StreamsConfig.STATE_DIR_CONFIG, dir.resolve(name + "-state").toString());
        props.put(org.apache.kafka.streams.StreamsConfig.NUM_STREAM_THREADS_CONFIG, String.valueOf(threads));
        props.remove(org.apache.kafka.streams.StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG);
        final org.apache.kafka.streams.KafkaStreams streams = new org.apache.kafka.streams.KafkaStreams(topology, props);
        streams.start();
        ReboundStreams.awaitRunning(streams, Duration.ofSeconds(60));
        return streams;
    }

    static Topics topics(final String prefix) {
        return new Topics(prefix);
    }

    /** A request for {@code target}: id {@code id}, an optional simulator script, a deadline {@code timeoutMs} away. */
    static byte[] request(final String id, final String target, final String simulate, final long timeoutMs) {
        return ("{\"id\":\"" + id + "\",\"target\":\"" + target + "\",\"timeoutMs\":" + timeoutMs + ",\"payload\":{\"q\":\"" + id + "\""
                + (simulate.isEmpty() ? "" : ",\"simulate\":" + simulate) + "}}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
}
