package dev.rebound.ops;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code rebound run} in a separate JVM, on this JVM's class path (the shipped jar, or the test classpath), so that a test or the bench can kill it the way
 * production dies: {@code kill -9}, no shutdown hook, no final commit.
 */
public final class ProcessorProcess implements AutoCloseable {

    private final Process process;

    private ProcessorProcess(final Process process) {
        this.process = process;
    }

    public static ProcessorProcess start(final Path config, final Path log) throws IOException {
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final ProcessBuilder pb = new ProcessBuilder(List.of(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                "dev.rebound.Rebound", "run", "--config", config.toString()))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        return new ProcessorProcess(pb.start());
    }

    /** SIGKILL: the process gets no chance to commit, flush or close anything. */
    public void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                kill9();
            }
        }
    }
}
