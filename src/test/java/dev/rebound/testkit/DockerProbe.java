package dev.rebound.testkit;

import org.testcontainers.DockerClientFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Whether a Docker engine answers, asked once per test JVM and within a bound: Testcontainers'
 * own search for an engine tries several strategies, and one pointed at an address that does not
 * answer could otherwise hold the first integration test for as long as its client waits. The
 * answer is kept, so every later test gets it at no cost.
 */
public final class DockerProbe {

    /** How long the first question may take before the answer is "no". */
    public static final Duration BOUND = Duration.ofSeconds(10);

    private final Callable<Boolean> available;
    private final Duration bound;
    private Optional<String> answer;

    public DockerProbe(final Callable<Boolean> available, final Duration bound) {
        this.available = available;
        this.bound = bound;
    }

    /** The probe of the test JVM: Testcontainers' {@code DockerClientFactory}, bounded by {@link #BOUND}. */
    public static DockerProbe testcontainers() {
        return new DockerProbe(() -> DockerClientFactory.instance().isDockerAvailable(), BOUND);
    }

    /** Empty when a Docker engine answered; else why not. Asks on the first call only. */
    public synchronized Optional<String> unavailableReason() {
        if (answer == null) {
            answer = ask();
        }
        return answer;
    }

    private Optional<String> ask() {
        final FutureTask<Boolean> task = new FutureTask<>(available);
        final Thread thread = new Thread(task, "docker-probe");
        thread.setDaemon(true);
        thread.start();
        try {
            return task.get(bound.toMillis(), TimeUnit.MILLISECONDS) ? Optional.empty() : Optional.of(where());
        } catch (final TimeoutException e) {
            task.cancel(true);
            return Optional.of("no answer within " + bound.toMillis() + " ms");
        } catch (final ExecutionException e) {
            return Optional.of(String.valueOf(e.getCause()));
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted while asking");
        }
    }

    /** What was looked for, in the words a developer would check first. */
    private static String where() {
        final String host = System.getenv("DOCKER_HOST");
        if (host != null && !host.isBlank()) {
            return "Testcontainers found none (DOCKER_HOST=" + host + ")";
        }
        return "Testcontainers found none (DOCKER_HOST unset, /var/run/docker.sock "
                + (Files.exists(Path.of("/var/run/docker.sock")) ? "present" : "absent") + ")";
    }
}
