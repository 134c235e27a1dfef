package dev.rebound.integration;

import dev.rebound.circuit.ControlRecord;
import dev.rebound.demo.TerminalCounter;
import dev.rebound.testkit.Cli;
import dev.rebound.testkit.LiveRebound;
import dev.rebound.testkit.Requests;
import dev.rebound.topology.StoreNames;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The kill switch end to end: {@code rebound control} on a real broker, read by a running processor. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ControlCommandIntegrationTest {

    @TempDir
    Path dir;

    @Test
    void shouldStopCallsWhileDisabledAndResumeWhenEnabled() throws Exception {
        try (LiveRebound live = LiveRebound.start(dir, 2, 4)) {
            final String config = live.config();
            final TerminalCounter counter = live.counter();
            assertThat(Cli.rebound("control", "disable", "nope", "--reason", "x", "--config", config).code())
                    .as("only configured targets").isEqualTo(1);
            assertThat(Cli.rebound("control", "disable", "llm", "--reason", "provider incident", "--config", config).out())
                    .contains("disabled llm (provider incident)");
            // the switch reaches the instance's global store (read here through an interactive query)
            final ReadOnlyKeyValueStore<String, ControlRecord> switches = live.streams().streams().store(
                    StoreQueryParameters.fromNameAndType(StoreNames.CONTROL, QueryableStoreTypes.keyValueStore()));
            await().atMost(Duration.ofSeconds(30)).until(() -> switches.get("llm") != null && switches.get("llm").disabled());

            live.requests().send("k1", Requests.scripted("c-1", "llm", ""));
            live.requests().send("k2", Requests.scripted("c-2", "llm", "", 1_500));
            live.requests().flush();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                counter.poll(Duration.ofMillis(200));
                return counter.has("k2");
            });
            assertThat(counter.last("k2").path("reason").asText()).isEqualTo("DEADLINE_EXCEEDED");
            assertThat(counter.last("k2").path("message").asText()).contains("llm is disabled by an operator: provider incident");
            assertThat(live.sim().calls()).as("no call while disabled").isZero();

            assertThat(Cli.rebound("control", "enable", "llm", "--config", config).code()).isZero();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                counter.poll(Duration.ofMillis(200));
                return counter.has("k1");
            });
            assertThat(counter.last("k1").path("outcome").asText()).isEqualTo("SUCCEEDED");
            assertThat(live.sim().calls()).isEqualTo(1);
        }
    }
}
