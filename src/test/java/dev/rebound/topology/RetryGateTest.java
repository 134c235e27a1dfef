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
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

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

    private static KeyValueStore<Bytes, byte[]> timerStore() {
        final KeyValueStore<Bytes, byte[]> store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("timers"), Serdes.Bytes(),
                Serdes.ByteArray()).withLoggingDisabled().build();
        store.init(new MockProcessorContext<>().getStateStoreContext(), store);
        return store;
    }

    @Test
    void shouldHandOutATimerSetInThePastAfterAScanFoundNothingDue() {
        final RetryGate gate = new RetryGate(timerStore());
        gate.schedule("later", 1, Instant.ofEpochMilli(5_000));
        assertThat(gate.due(Instant.ofEpochMilli(1_000), 10)).isEmpty();
        gate.schedule("overdue", 2, Instant.ofEpochMilli(200)); // set after the scan, due before it
        gate.schedule("now", 3, Instant.ofEpochMilli(1_000));
        assertThat(gate.due(Instant.ofEpochMilli(1_000), 10)).extracting(RetryGate.Due::id).containsExactly("overdue", "now");
    }

    @Test
    void shouldHandOutWhatAScanOfTheWholeStoreWouldWhateverTheOrderOfSchedulingScanningAndRemoving() {
        final Random random = new Random(13);
        for (int run = 0; run < 200; run++) {
            final RetryGate gate = new RetryGate(timerStore());
            final TreeMap<Bytes, Integer> model = new TreeMap<>(); // every timer in the store, by key
            long now = 1_000;
            for (int step = 0; step < 300; step++) {
                final int op = random.nextInt(10);
                if (op < 5) { // set a timer: mostly ahead, sometimes already due, sometimes at a key set before
                    final Bytes again = model.isEmpty() || random.nextInt(8) > 0 ? null : model.firstKey();
                    final long due = again != null ? TimerKey.dueMs(again) : now - 300 + random.nextInt(2_000);
                    final String id = again != null ? TimerKey.id(again) : "r-" + random.nextInt(60);
                    final int attempt = random.nextInt(4);
                    model.put(gate.schedule(id, attempt, Instant.ofEpochMilli(due)), attempt);
                } else if (op < 8) { // a tick: what is due, then most of it handled and removed
                    final int max = 1 + random.nextInt(6);
                    final List<RetryGate.Due> due = gate.due(Instant.ofEpochMilli(now), max);
                    final List<Bytes> expected = new ArrayList<>();
                    for (final Map.Entry<Bytes, Integer> e : model.headMap(TimerKey.upTo(Instant.ofEpochMilli(now))).entrySet()) {
                        if (expected.size() < max) {
                            expected.add(e.getKey());
                        }
                    }
                    assertThat(due).extracting(RetryGate.Due::key).as("run %d, step %d, now %d", run, step, now).isEqualTo(expected);
                    for (final RetryGate.Due d : due) {
                        assertThat(d.attempt()).isEqualTo(model.get(d.key()));
                        if (random.nextInt(5) > 0) {
                            gate.remove(d.key());
                            model.remove(d.key());
                        }
                    }
                } else { // time goes on, now and then a little backwards (a clock step)
                    now += random.nextInt(10) == 0 ? -random.nextInt(200) : random.nextInt(400);
                }
            }
        }
    }
}
