package dev.rebound.demo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rebound.request.Json;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * The one {@code rebound dev} of this user on this machine: a file in {@code java.io.tmpdir},
 * locked while it runs, that says where its pieces are.
 *
 * <p>The lock is the operating system's ({@link FileChannel#tryLock()}), so it goes with the process
 * however the process ends, {@code kill -9} included: a file left behind by a dead instance is not
 * mistaken for a running one. A second {@code rebound dev} finds the lock taken and reads the file
 * to say which instance runs and where, instead of starting a broker and failing on its ports;
 * {@code rebound simulate-set} reads it to find the simulator.
 */
public final class DevInstance implements AutoCloseable {

    /**
     * Where a running instance is.
     *
     * @param pid          its process id
     * @param since        when it became ready (ISO-8601)
     * @param config       the configuration file it wrote, as given on its command line
     * @param opsUrl       its ops endpoint, e.g. {@code http://127.0.0.1:8079}
     * @param simulatorUrl its simulator's base URL, e.g. {@code http://127.0.0.1:8090}
     * @param log          where it writes its logs
     */
    public record Info(long pid, String since, String config, String opsUrl, String simulatorUrl, String log) {
    }

    /** Thrown by {@link #acquire} while another instance holds the lock. */
    public static final class AlreadyRunning extends Exception {
        private final transient Optional<Info> info;

        AlreadyRunning(final Path file, final Optional<Info> info) {
            super(info.map(i -> "a rebound dev is already running (pid " + i.pid() + ", since " + i.since() + "; configuration "
                            + i.config() + ", ops endpoint " + i.opsUrl() + ", simulator " + i.simulatorUrl()
                            + "): use that one, or stop it with Ctrl-C in its terminal (or kill " + i.pid() + ")")
                    .orElse("a rebound dev is already starting (it holds " + file + "); wait for it, or stop it with Ctrl-C in its terminal"));
            this.info = info;
        }

        public Optional<Info> info() {
            return info;
        }
    }

    private final FileChannel channel;
    private final FileLock lock;

    private DevInstance(final FileChannel channel, final FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** The file of this user's instance: {@code <java.io.tmpdir>/rebound-dev-<user>.json}. */
    public static Path file() {
        final String user = System.getProperty("user.name", "user").replaceAll("[^A-Za-z0-9._-]", "_");
        return Path.of(System.getProperty("java.io.tmpdir"), "rebound-dev-" + user + ".json");
    }

    /** Takes the lock for this process, or throws naming the instance that has it. */
    public static DevInstance acquire() throws IOException, AlreadyRunning {
        final Path file = file();
        final FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        final FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (final OverlappingFileLockException sameJvm) {
            channel.close();
            throw new AlreadyRunning(file, read(file));
        }
        if (lock == null) {
            channel.close();
            throw new AlreadyRunning(file, read(file));
        }
        channel.truncate(0); // a dead instance's leftovers
        return new DevInstance(channel, lock);
    }

    /** The instance that runs now, if any (it holds the lock and has said where it is). */
    public static Optional<Info> running() throws IOException {
        final Path file = file();
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            final FileLock free = channel.tryLock();
            if (free != null) {
                free.release();
                return Optional.empty();
            }
        } catch (final OverlappingFileLockException sameJvm) {
            // held by this JVM: running
        }
        return read(file);
    }

    /** Says where this instance is, for {@link #running()} and a second {@code rebound dev}. */
    public void publish(final Info info) throws IOException {
        final byte[] bytes = Json.bytes(info);
        channel.truncate(0);
        channel.write(ByteBuffer.wrap(bytes), 0);
        channel.force(true);
    }

    private static Optional<Info> read(final Path file) {
        try {
            final String text = Files.readString(file, StandardCharsets.UTF_8);
            if (text.isBlank()) {
                return Optional.empty();
            }
            final JsonNode n = Json.MAPPER.readTree(text);
            return Optional.of(new Info(n.path("pid").asLong(), n.path("since").asText(), n.path("config").asText(),
                    n.path("opsUrl").asText(), n.path("simulatorUrl").asText(), n.path("log").asText()));
        } catch (final IOException | RuntimeException unreadable) {
            return Optional.empty();
        }
    }

    /**
     * Empties the file and releases the lock. The file stays: deleting it would let a second
     * instance that opened it just before lock a file no one else can find.
     */
    @Override
    public void close() throws IOException {
        try {
            channel.truncate(0);
        } finally {
            lock.release();
            channel.close();
        }
    }
}
