package dev.rebound.integration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rebound.testkit.IntegrationConfig;
import dev.rebound.testkit.ReboundProcess;
import dev.rebound.testkit.SharedKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a person sees on the console, each command in a JVM of its own with its output redirected
 * (not a terminal, as in CI or behind {@code | tee}): {@code rebound demo} prints its own lines and
 * names the log file that holds Kafka's; {@code --verbose} brings the log back to the console;
 * {@code rebound run --log-format json} writes one JSON object per line.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class QuietConsoleIntegrationTest {

    /** A line of the console's log pattern ({@code HH:mm:ss.SSS LEVEL [thread] logger - message}). */
    private static final Pattern LOG_LINE = Pattern.compile("^\\d{2}:\\d{2}:\\d{2}\\.\\d{3} +(TRACE|DEBUG|INFO|WARN|ERROR) +\\[.*");
    /** A log line of Kafka's own loggers (the broker's, the clients', Kafka Streams'), abbreviated or not. */
    private static final Pattern KAFKA_LINE = Pattern.compile(
            "^\\d{2}:\\d{2}:\\d{2}\\.\\d{3} +(TRACE|DEBUG|INFO|WARN|ERROR) +\\[[^\\]]*\\] (org\\.apache\\.kafka|o\\.apache\\.kafka|o\\.a\\.k|kafka)\\..*");
    private static final Duration DEMO_WITHIN = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    @TempDir
    Path tmp;

    @Test
    void shouldPrintOnlyTheDemosOwnLinesAndNameTheLogFileThatHoldsKafkas() throws Exception {
        // given the demo, started as a user starts it, its output not a terminal
        try (ReboundProcess demo = ReboundProcess.start(dir, tmp, List.of("demo", "--requests", "40"))) {

            // when it finishes
            final int code = demo.exitCode(DEMO_WITHIN);
            final String console = demo.out() + demo.err();

            // then the console has the demo's own lines: where the log is, the progress and the summary
            assertThat(code).as(console).isZero();
            final Path log = tmp.resolve("rebound-demo-" + demo.pid() + ".log");
            assertThat(demo.out().lines().limit(2)).as(console).contains("  logs: " + log);
            assertThat(demo.out()).contains("[    40/40] succeeded", "Summary (counted from", "every request accounted for");
            // and no log line at all, Kafka's or Rebound's
            assertThat(console.lines().filter(line -> LOG_LINE.matcher(line).matches())).as(console).isEmpty();
            // and the progress as plain lines: no carriage return piling up in a CI log
            assertThat(demo.out()).doesNotContain("\r");
            // while the log file holds what the console no longer shows
            assertThat(Files.readAllLines(log)).as("the log file").anyMatch(line -> KAFKA_LINE.matcher(line).matches())
                    .anyMatch(line -> line.contains("dev.rebound.app.ReboundStreams - Kafka Streams REBALANCING -> RUNNING"));
        }
    }

    @Test
    void shouldBringTheLogBackToTheConsoleWithVerbose() throws Exception {
        // given the demo with --verbose
        try (ReboundProcess demo = ReboundProcess.start(dir, tmp, List.of("demo", "--requests", "40", "--verbose"))) {

            // when it finishes
            final int code = demo.exitCode(DEMO_WITHIN);

            // then Kafka's log lines are on the console again (standard error, as before), and no log file is named
            assertThat(code).as(demo.out() + demo.err()).isZero();
            assertThat(demo.err().lines()).as(demo.err()).anyMatch(line -> KAFKA_LINE.matcher(line).matches());
            assertThat(demo.out()).contains("[    40/40] succeeded").doesNotContain("logs:");
            assertThat(tmp.resolve("rebound-demo-" + demo.pid() + ".log")).doesNotExist();
        }
    }

    @Test
    void shouldWriteOneJsonObjectPerLineWithLogFormatJson() throws Exception {
        // given Rebound's topics on a broker, and a configuration for them
        final String bootstrap = SharedKafka.get().bootstrapServers();
        final String prefix = SharedKafka.freshTopics(1);
        final Path config = dir.resolve("run.yaml");
        Files.writeString(config, IntegrationConfig.yaml(bootstrap, prefix, dir.resolve("state"), 9, 4)
                .replace("topics:", "ops: { enabled: false }\ntopics:"));

        // when `rebound run --log-format json` starts and gets its tasks
        try (ReboundProcess run = ReboundProcess.start(dir, tmp, List.of("run", "--config", config.toString(), "--log-format", "json"))) {
            run.awaitErr("REBALANCING -> RUNNING", Duration.ofSeconds(60));
            run.terminate();
            run.exitCode(Duration.ofSeconds(30));

            // then every line of its log is a JSON object with the time, level, logger, thread and message
            final ObjectMapper json = new ObjectMapper();
            final List<JsonNode> events = new ArrayList<>();
            for (final String line : run.err().lines().toList()) {
                final JsonNode event = json.readTree(line);
                assertThat(event.isObject()).as(line).isTrue();
                assertThat(event.path("timestamp").isNumber()).as(line).isTrue();
                assertThat(event.path("level").asText()).as(line).isIn("INFO", "WARN", "ERROR");
                assertThat(event.path("loggerName").asText()).as(line).isNotEmpty();
                assertThat(event.path("threadName").asText()).as(line).isNotEmpty();
                events.add(event);
            }
            assertThat(events).extracting(e -> e.path("formattedMessage").asText())
                    .anyMatch(m -> m.startsWith("Rebound running with targets"))
                    .anyMatch(m -> m.matches("Kafka Streams REBALANCING -> RUNNING: \\d+ active task\\(s\\) assigned to this instance .*"));
            assertThat(run.out()).isEmpty();
        }
    }
}
