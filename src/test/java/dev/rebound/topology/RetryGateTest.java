package dev.rebound.topology;

import dev.rebound.config.ReboundConfig;
import dev.rebound.lifecycle.InFlightEntry;
import dev.rebound.request.AgentRequest;
import dev.rebound.request.Attempt;
import dev.rebound.request.Json;
import dev.rebound.request.ParseResult;
import dev.rebound.request.RequestParser;
import dev.rebound.request.Source;
import dev.rebound.testkit.Configs;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RetryGateTest {

    private static final Instant T0 = Instant.parse("2026-12-01T04:00:00.123456789Z");
    private static final ReboundConfig CONFIG = Configs.twoTargets("http://127.0.0.1:1");

    private static InFlightEntry waiting(final String request, final int failures) {
        final ParseResult parsed = new RequestParser(CONFIG.targets(), CONFIG.limits()).parse(request.getBytes(StandardCharsets.UTF_8), T0);
        InFlightEntry e = InFlightEntry.first("key", ((ParseResult.Valid) parsed).request(), T0, new Source("agent-calls", 2, 9));
        for (int i = 1; i <= failures; i++) {
            final Attempt failed = new Attempt(i, T0.plusSeconds(i), "llm", "SERVER_ERROR", "MEDIUM", 503, "said \"no\" {}[]", 40, null, null);
            e = e.waitingFor(failed, Duration.ofSeconds(i), T0.plusSeconds(10L * i));
        }
        return e;
    }

    @Test
    void shouldReadTheTimerOfATierRecordAsDataBindingTheWholeEntryDoes() {
        for (final InFlightEntry entry : List.of(
                waiting("{\"id\":\"r-1\",\"target\":\"llm\",\"payload\":{\"id\":\"not-this\",\"deep\":[{\"id\":1}]}}", 1),
                waiting("{\"payload\":{\"x\":[1,2,{\"request\":{\"id\":\"no\"}}]},\"target\":\"llm\",\"id\":\"r-2\","
                        + "\"metadata\":{\"id\":\"nor-this\"},\"timeoutMs\":60000}", 3))) {
            final byte[] tierRecord = Json.bytes(entry); // as the retry sinks write it
            final InFlightEntry bound = Json.read(tierRecord, InFlightEntry.class);
            final AgentRequest request = bound.agentRequest();
            assertThat(RetryGate.timerOf(tierRecord)).isEqualTo(RetryGate.timer(request.id(), bound.attempt(), bound.dueAt()));
        }
    }

    @Test
    void shouldReadADueTimeInEitherFormAndTakeAMissingAttemptAsZero() {
        final String record = "{\"request\":{\"id\":\"r-3\"},\"dueAt\":%s,\"unknown\":{\"a\":[1]}}";
        assertThat(RetryGate.timerOf(String.format(record, "\"2026-12-01T04:00:10Z\"").getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(RetryGate.timer("r-3", 0, Instant.parse("2026-12-01T04:00:10Z")));
        assertThat(RetryGate.timerOf(String.format(record, "1796097610.5").getBytes(StandardCharsets.UTF_8)).due())
                .isEqualTo(Json.read("1796097610.5".getBytes(StandardCharsets.UTF_8), Instant.class));
    }

    @Test
    void shouldRefuseARecordItCannotTakeATimerFromSoThatItIsSkipped() {
        for (final String bad : List.of("", "[]", "42", "{\"attempt\":2,\"dueAt\":\"2026-12-01T04:00:10Z\"}",
                "{\"request\":{\"id\":7},\"dueAt\":\"2026-12-01T04:00:10Z\"}", "{\"request\":\"r-4\",\"dueAt\":\"2026-12-01T04:00:10Z\"}",
                "{\"request\":{\"id\":\"r-4\"},\"dueAt\":null}", "{\"request\":{\"id\":\"r-4\"}}",
                "{\"request\":{\"id\":\"r-4\"},\"dueAt\":\"yesterday\"}", "{\"request\":{\"id\":\"r-4\"},\"dueAt\":\"2026-12-01T04:00:10Z\"",
                "{\"request\":{\"id\":\"r-4\"},\"attempt\":\"two\",\"dueAt\":\"2026-12-01T04:00:10Z\"}")) {
            assertThatThrownBy(() -> RetryGate.timerOf(bad.getBytes(StandardCharsets.UTF_8))).as(bad).isInstanceOf(RuntimeException.class);
        }
    }
}
