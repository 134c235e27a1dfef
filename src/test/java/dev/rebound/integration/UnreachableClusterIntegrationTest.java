package dev.rebound.integration;

import dev.rebound.testkit.Cli;
import dev.rebound.testkit.ReboundProcess;
import dev.rebound.testkit.SharedKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The first minute of a misconfigured run: every command that talks to Kafka says in one line
 * which address and which setting, and gives up with exit code 1 after {@code startup.timeout},
 * instead of a client warning per second for ever.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class UnreachableClusterIntegrationTest {

    @TempDir
    Path dir;

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private Path config(final String kafka, final String timeout) throws IOException {
        final Path file = dir.resolve("nobroker.yaml");
        Files.writeString(file, """
                kafka: { %s }
                startup: { timeout: %s }
                ops: { enabled: false }
                targets:
                  t: { url: "http://127.0.0.1:1/x" }
                """.formatted(kafka, timeout));
        return file;
    }

    @Test
    void shouldExitOneWithinTheStartupTimeoutSayingInOneLineThatNothingListensWhenRunHasNoBroker() throws Exception {
        // given a configuration whose bootstrap.servers is an address where nothing listens, and a 3 s start-up timeout
        final int port = closedPort();
        final Path config = config("bootstrap.servers: \"127.0.0.1:" + port + "\"", "3s");

        // when `rebound run` starts, as a user starts it
        final long started = System.nanoTime();
        try (ReboundProcess run = ReboundProcess.start(dir, dir, List.of("run", "--config", config.toString()))) {
            final int code = run.exitCode(Duration.ofSeconds(30));
            final Duration took = Duration.ofNanos(System.nanoTime() - started);

            // then it exits 1 once the 3 s have passed (plus the JVM's own start)
            assertThat(code).isEqualTo(1);
            assertThat(took).isBetween(Duration.ofSeconds(3), Duration.ofSeconds(15));
            // having said, on every line, which address and which setting, and nothing else: no client warnings
            final List<String> lines = run.err().lines().toList();
            assertThat(lines).isNotEmpty().allSatisfy(line -> assertThat(line)
                    .startsWith("rebound run: ")
                    .contains("nothing listens at 127.0.0.1:" + port + " (kafka.bootstrap.servers in " + config + ")"));
            assertThat(lines.get(lines.size() - 1)).startsWith("rebound run: gave up after 3 s (startup.timeout in " + config + ")");
            assertThat(lines).as("said at a calm pace, not per attempt").hasSizeLessThanOrEqualTo(2);
            assertThat(run.out()).isEmpty();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"topics create", "send --target t --payload {}", "tail results", "dlq list", "dlq show some-id",
            "dlq replay --id some-id", "control disable t --reason test"})
    void shouldGiveUpTheSameWayInEveryCommandThatTalksToKafka(final String command) throws Exception {
        final int port = closedPort();
        final Path config = config("bootstrap.servers: \"127.0.0.1:" + port + "\"", "1s");
        final List<String> args = new ArrayList<>(List.of(command.split(" ")));
        args.addAll(List.of("--config", config.toString()));

        final Cli.Run r = Cli.rebound(args.toArray(String[]::new));

        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("rebound " + command.split(" ")[0])
                .contains("gave up after 1 s (startup.timeout in " + config + "): nothing listens at 127.0.0.1:" + port
                        + " (kafka.bootstrap.servers in " + config + ")");
    }

    @Test
    void shouldStopAtOnceNamingTheSaslSettingsWhenTheBrokerRefusesTheHandshake() throws Exception {
        // given a broker that answers, but on a listener without SASL, and a client that insists on it
        final String bootstrap = SharedKafka.get().bootstrapServers();
        final Path config = config("bootstrap.servers: \"" + bootstrap + "\", security.protocol: SASL_PLAINTEXT, sasl.mechanism: PLAIN, "
                + "sasl.jaas.config: 'org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"p\";'",
                "60s");

        // when a command starts
        final long started = System.nanoTime();
        final Cli.Run r = Cli.rebound("send", "--config", config.toString(), "--target", "t", "--payload", "{}");

        // then it does not wait the 60 s: waiting does not fix credentials
        assertThat(r.code()).isEqualTo(1);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(20));
        assertThat(r.err()).contains("rebound send: the broker at " + bootstrap + " refused to authenticate this client",
                "kafka.security.protocol and kafka.sasl.* in " + config);
    }

    @Test
    void shouldNameTheOpsSettingsWhenStatusFindsNoInstance() throws Exception {
        final int port = closedPort();
        final Path config = dir.resolve("ops.yaml");
        Files.writeString(config, "ops: { port: " + port + " }\ntargets:\n  t: { url: \"http://127.0.0.1:1/x\" }\n");

        final Cli.Run r = Cli.rebound("status", "--config", config.toString());

        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("rebound status: nothing answers at http://127.0.0.1:" + port
                + " (ops.bind and ops.port in " + config + ")");
    }
}
