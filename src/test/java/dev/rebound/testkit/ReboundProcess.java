package dev.rebound.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code rebound ARGS} in a JVM of its own, on the test class path, as a user runs it from a
 * terminal: its own standard output and error (each to a file, read at any time), its working
 * directory, and a {@code java.io.tmpdir} of the test's, so that what it keeps there (the lock of
 * {@code rebound dev}) is the test's alone.
 */
public final class ReboundProcess implements AutoCloseable {

    private static final AtomicInteger NEXT = new AtomicInteger();

    private final Process process;
    private final Path out;
    private final Path err;

    private ReboundProcess(final Process process, final Path out, final Path err) {
        this.process = process;
        this.out = out;
        this.err = err;
    }

    /** Starts {@code rebound args} in {@code dir}, with {@code tmp} as its {@code java.io.tmpdir}. */
    public static ReboundProcess start(final Path dir, final Path tmp, final List<String> args) throws IOException {
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final List<String> command = new ArrayList<>(List.of(java, "-Xmx384m", "-XX:TieredStopAtLevel=1", "-Djava.io.tmpdir=" + tmp,
                "-cp", System.getProperty("java.class.path"), "dev.rebound.Rebound"));
        command.addAll(args);
        final int n = NEXT.incrementAndGet();
        final Path out = tmp.resolve("process-" + n + ".out");
        final Path err = tmp.resolve("process-" + n + ".err");
        final Process p = new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE).start();
        p.getOutputStream().close(); // no input: a command that reads stdin sees its end at once
        return new ReboundProcess(p, out, err);
    }

    /** Standard output so far. */
    public String out() {
        return read(out);
    }

    /** Standard error so far. */
    public String err() {
        return read(err);
    }

    /** Waits for the exit code; throws if it takes longer than {@code timeout}, with what it printed. */
    public int exitCode(final Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("still running after " + timeout + "; printed:\n" + out() + "\nstderr:\n" + err());
        }
        return process.exitValue();
    }

    /** Waits until standard output contains {@code text}; throws if the process exits or {@code timeout} passes first. */
    public void awaitOut(final String text, final Duration timeout) throws InterruptedException {
        await("standard output", out, text, timeout);
    }

    /** Waits until standard error contains {@code text}; throws if the process exits or {@code timeout} passes first. */
    public void awaitErr(final String text, final Duration timeout) throws InterruptedException {
        await("standard error", err, text, timeout);
    }

    private void await(final String what, final Path file, final String text, final Duration timeout) throws InterruptedException {
        final long until = System.nanoTime() + timeout.toNanos();
        while (!read(file).contains(text)) {
            if (!process.isAlive()) {
                throw new AssertionError("exited with " + process.exitValue() + " before printing '" + text + "' to " + what
                        + "; printed:\n" + out() + "\nstderr:\n" + err());
            }
            if (System.nanoTime() > until) {
                throw new AssertionError("did not print '" + text + "' to " + what + " within " + timeout + "; printed:\n" + out()
                        + "\nstderr:\n" + err());
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
    }

    /** SIGTERM: the JVM runs its shutdown hooks, as on Ctrl-C. */
    public void terminate() {
        process.destroy();
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    private static String read(final Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (final IOException e) {
            return "(unreadable: " + e + ")";
        }
    }
}
