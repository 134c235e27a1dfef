package dev.rebound.cli;

import dev.rebound.Rebound;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class ReboundCommandLineTest {

    @TempDir
    Path dir;

    private final StringWriter err = new StringWriter();

    private int run(final String... args) {
        final CommandLine cl = Rebound.commandLine();
        cl.setErr(new PrintWriter(err));
        cl.setOut(new PrintWriter(new StringWriter()));
        return cl.execute(args);
    }

    @Test
    void shouldExitTwoOnAnUnknownOption() {
        assertThat(run("demo", "--no-such-flag")).isEqualTo(2);
        assertThat(err.toString()).contains("--no-such-flag");
    }

    @Test
    void shouldExitOneNamingTheFieldOfABadConfig() throws Exception {
        final Path config = dir.resolve("bad.yaml");
        Files.writeString(config, "targets:\n  t:\n    url: http://h/x\n    timeout: soon\n");
        assertThat(run("run", "--config", config.toString())).isEqualTo(1);
        assertThat(err.toString()).contains("targets.t.timeout");
    }

    @Test
    void shouldRejectAnUnknownDemoScenario() {
        assertThat(run("demo", "--scenario", "no-such-scenario")).isEqualTo(1);
        assertThat(err.toString()).contains("--scenario must be one of");
    }

    @Test
    void shouldRequireBootstrapServersToRun() throws Exception {
        final Path config = dir.resolve("nobroker.yaml");
        Files.writeString(config, "targets:\n  t:\n    url: http://h/x\n");
        assertThat(run("run", "--config", config.toString())).isEqualTo(1);
        assertThat(err.toString()).contains("kafka.bootstrap.servers is required");
    }

    @Test
    void shouldStopRunNamingThePortAndItsSettingWhenTheOpsPortIsTaken() throws Exception {
        // given a configuration whose ops port another program holds, and no broker at all
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            final Path config = dir.resolve("taken.yaml");
            Files.writeString(config, """
                    kafka: { bootstrap.servers: "127.0.0.1:1" }
                    ops: { port: %d }
                    targets:
                      t: { url: "http://h/x" }
                    """.formatted(taken.getLocalPort()));

            // when
            final long started = System.nanoTime();
            final int code = run("run", "--config", config.toString());

            // then it stops at once, before asking the (absent) cluster, and says what to change
            assertThat(code).isEqualTo(1);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
            assertThat(err.toString()).contains("127.0.0.1:" + taken.getLocalPort()).contains("ops.port");
        }
    }
}
