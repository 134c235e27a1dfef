package dev.rebound.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rebound.request.Json;
import org.apache.kafka.streams.KafkaStreams;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@code rebound run} in a separate JVM, on this JVM's class path (the shipped jar, or the test classpath), so that a test or the bench can kill it the way
 * production dies: {@code kill -9}, no shutdown hook, no final commit.
 *
 * <p>Started with {@link #watched}, the process is also probed on its ops endpoint
 * ({@code /health/live}, whose body names the Kafka Streams state) every {@link #PROBE_EVERY}, so
 * that a caller can tell a processor that really runs from one that died at start (a state
 * directory already locked, a port taken) or whose streams stopped: a crash test that cannot tell
 * these apart proves nothing.
 */
public final class ProcessorProcess implements AutoCloseable {

    static final Duration PROBE_EVERY = Duration.ofMillis(250);
    private static final int LOG_TAIL_LINES = 25;
    /** The Kafka Streams states, as the child's {@code /health/live} names them, that mean it stopped for good. */
    private static final Set<String> STOPPED = Set.of(KafkaStreams.State.ERROR.name(), KafkaStreams.State.NOT_RUNNING.name(),
            KafkaStreams.State.PENDING_ERROR.name());

    private final String name;
    private final Process process;
    private final Path log;
    private final long startedAt = System.nanoTime();
    private final ScheduledExecutorService prober;
    private final HttpClient http;
    private final int opsPort;
    private volatile boolean stoppedByUs;
    private volatile String lastState = "not probed yet";
    /** When a probe first saw RUNNING, in {@link System#nanoTime()}; 0 while it has not. */
    private volatile long firstRunningAt;
    /** When a probe last saw RUNNING; 0 while it has not. */
    private volatile long lastRunningAt;

    private ProcessorProcess(final String name, final Process process, final Path log, final int opsPort) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.opsPort = opsPort;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        if (opsPort > 0) {
            final URI live = ops("/health/live");
            prober = Executors.newSingleThreadScheduledExecutor(r -> {
                final Thread t = new Thread(r, "probe-" + name);
                t.setDaemon(true);
                return t;
            });
            prober.scheduleWithFixedDelay(() -> probe(live), 0, PROBE_EVERY.toMillis(), TimeUnit.MILLISECONDS);
        } else {
            prober = null;
        }
    }

    /** An unwatched processor: only {@link #isAlive()} tells anything about it. */
    public static ProcessorProcess start(final Path config, final Path log) throws IOException {
        return new ProcessorProcess("processor", launch(config, log), log, 0);
    }

    /**
     * A processor whose configuration enables the ops endpoint on {@code opsPort} (127.0.0.1),
     * probed from now on; {@code name} appears in every failure message.
     */
    public static ProcessorProcess watched(final String name, final Path config, final Path log, final int opsPort) throws IOException {
        if (opsPort <= 0) {
            throw new IllegalArgumentException("opsPort must be a fixed port to probe, was " + opsPort);
        }
        return new ProcessorProcess(name, launch(config, log), log, opsPort);
    }

    private static Process launch(final Path config, final Path log) throws IOException {
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final ProcessBuilder pb = new ProcessBuilder(List.of(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                "dev.rebound.Rebound", "run", "--config", config.toString()))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        return pb.start();
    }

    private URI ops(final String path) {
        return URI.create("http://127.0.0.1:" + opsPort + path);
    }

    private void probe(final URI live) {
        // the time the question was asked, not answered: a state read after a moment was asked after it
        final long askedAt = System.nanoTime();
        try {
            final HttpResponse<String> r = http.send(HttpRequest.newBuilder(live).timeout(Duration.ofSeconds(2)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            final JsonNode body = Json.MAPPER.readTree(r.body());
            final String state = body.path("state").asText("?");
            lastState = state;
            if (KafkaStreams.State.RUNNING.name().equals(state)) {
                if (firstRunningAt == 0) {
                    firstRunningAt = askedAt;
                }
                lastRunningAt = askedAt;
            }
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (final Exception e) {
            // not listening yet (starting), or busy: the next probe asks again
            lastState = process.isAlive() ? "ops endpoint not answering (" + e.getClass().getSimpleName() + ")" : "exited";
        }
    }

    /**
     * The sum of every series of counter {@code name} (its Prometheus name, e.g.
     * {@code rebound_terminal_total}) on the processor's {@code /metrics}, whatever their labels.
     */
    public double counter(final String name) throws IOException, InterruptedException {
        requireWatched();
        final String text = http.send(HttpRequest.newBuilder(ops("/metrics")).timeout(Duration.ofSeconds(5)).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return text.lines().filter(l -> l.startsWith(name + "{") || l.startsWith(name + " "))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    public String name() {
        return name;
    }

    /** How long after its start a probe first saw Kafka Streams RUNNING; empty while none has. */
    public Optional<Duration> runningAfter() {
        final long at = firstRunningAt;
        return at == 0 ? Optional.empty() : Optional.of(Duration.ofNanos(at - startedAt));
    }

    /**
     * Waits until a probe taken after {@code since} (a {@link System#nanoTime()}) sees RUNNING, and
     * returns how long after {@code since} that was.
     *
     * @throws IllegalStateException if the process exits first or {@code timeout} passes, with the
     *                               last state seen and the end of its log
     */
    public Duration awaitRunningSince(final long since, final Duration timeout) throws InterruptedException {
        requireWatched();
        final long until = System.nanoTime() + timeout.toNanos();
        long at;
        while ((at = lastRunningAt) == 0 || at - since < 0) {
            ensureAlive();
            if (System.nanoTime() > until) {
                throw failure("did not reach RUNNING within " + timeout.toSeconds() + " s (last state: " + lastState + ")");
            }
            TimeUnit.MILLISECONDS.sleep(50);
        }
        return Duration.ofNanos(at - since);
    }

    /** {@link #awaitRunningSince} from its start: how long it took to run at all. */
    public Duration awaitRunning(final Duration timeout) throws InterruptedException {
        awaitRunningSince(startedAt, timeout);
        return runningAfter().orElseThrow();
    }

    /**
     * Throws unless the process is alive or was stopped by this object, and, when watched, unless
     * its streams are alive: a processor that exited by itself, or whose Kafka Streams reached
     * {@code ERROR} or {@code NOT_RUNNING}, has failed.
     */
    public void ensureAlive() {
        if (stoppedByUs) {
            return;
        }
        if (!process.isAlive()) {
            throw failure("exited by itself with code " + process.exitValue());
        }
        final String state = lastState;
        if (STOPPED.contains(state)) {
            throw failure("is alive but its Kafka Streams is " + state);
        }
    }

    private IllegalStateException failure(final String what) {
        return new IllegalStateException("processor '" + name + "' " + what + "; the end of its log (" + log + "):\n" + logTail());
    }

    private String logTail() {
        try {
            final List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
        } catch (final IOException | RuntimeException e) {
            return "(unreadable: " + e + ")";
        }
    }

    private void requireWatched() {
        if (prober == null) {
            throw new IllegalStateException("processor '" + name + "' was started without an ops port to probe");
        }
    }

    /** SIGKILL: the process gets no chance to commit, flush or close anything. */
    public void kill9() throws InterruptedException {
        stoppedByUs = true;
        stopProbing();
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    private void stopProbing() {
        if (prober != null) {
            prober.shutdownNow();
        }
    }

    @Override
    public void close() throws InterruptedException {
        stoppedByUs = true;
        stopProbing();
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                kill9();
            }
        }
    }
}
