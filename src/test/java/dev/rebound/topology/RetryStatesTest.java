package dev.rebound.topology;

import dev.rebound.classify.ErrorCategory;
import dev.rebound.config.ReboundConfig;
import dev.rebound.config.TargetConfig;
import dev.rebound.metrics.ReboundMetrics;
import dev.rebound.retry.TargetRetryState;
import dev.rebound.testkit.Configs;
import io.micrometer.core.instrument.Gauge;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** One task's retry states: kept in memory, written to the store at most every {@link RetryStates#FLUSH_EVERY}. */
class RetryStatesTest {

    private static final Instant T0 = Instant.parse("2026-11-29T12:00:00Z");

    private static final ReboundConfig CONFIG = Configs.parse("""
            kafka:
              application.id: rebound-test
            errors: { window: 10s, patternThreshold: 3 }
            targets:
              llm:
                url: http://127.0.0.1:1/v1/chat
                retry: { maxAttempts: 4 }
            """);

    private static final TargetConfig LLM = CONFIG.target("llm").orElseThrow();

    private KeyValueStore<String, TargetRetryState> store;
    private final ReboundMetrics metrics = new ReboundMetrics();
    private RetryStates states;

    @BeforeEach
    void openStore() {
        final MockProcessorContext<Object, Object> context = new MockProcessorContext<>();
        store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("retry-state"), Serdes.String(),
                JsonSerde.of(TargetRetryState.class)).withLoggingDisabled().build();
        store.init(context.getStateStoreContext(), store);
        states = new RetryStates(store, CONFIG, "0_1", metrics);
    }

    @Test
    void shouldStartFromTheInitialStateWhenTheStoreHasNone() {
        assertThat(states.get(LLM)).isEqualTo(TargetRetryState.initial(4));
    }

    @Test
    void shouldResumeFromTheStoredStateClampedToTheConfiguredAttempts() {
        store.put("llm", TargetRetryState.initial(9).onFirstAttempt(T0).onOutcome(T0, Optional.of(ErrorCategory.TIMEOUT)));

        final TargetRetryState resumed = states.get(LLM);

        assertThat(resumed.effectiveMaxAttempts()).isEqualTo(4);
        assertThat(resumed.failures(T0, ErrorCategory.TIMEOUT, CONFIG.retries().errorWindow())).as("the stored counts are kept").isEqualTo(1);
    }

    @Test
    void shouldWriteToTheStoreOnlyWhenFlushed() {
        states.firstAttempt(LLM, T0);

        assertThat(store.get("llm")).as("not on every request").isNull();

        states.flush(T0);

        assertThat(store.get("llm")).isEqualTo(states.get(LLM));
    }

    @Test
    void shouldFlushAtMostOncePerInterval() {
        states.firstAttempt(LLM, T0);
        states.flush(T0);
        final TargetRetryState flushed = store.get("llm");

        states.firstAttempt(LLM, T0.plusMillis(10));
        states.flush(T0.plusMillis(50));

        assertThat(store.get("llm")).as("within FLUSH_EVERY of the last flush").isEqualTo(flushed);

        states.flush(T0.plus(RetryStates.FLUSH_EVERY));

        assertThat(store.get("llm")).isEqualTo(states.get(LLM)).isNotEqualTo(flushed);
    }

    @Test
    void shouldFlagAnErrorPatternAtTheThreshold() {
        for (int i = 0; i < 2; i++) {
            states.firstAttempt(LLM, T0);
            states.outcome(LLM, T0, Optional.of(ErrorCategory.TIMEOUT));
        }

        assertThat(states.patterns(LLM, T0)).isEmpty();
        assertThat(pattern(ErrorCategory.TIMEOUT)).isEqualTo(0.0);

        states.firstAttempt(LLM, T0);
        states.outcome(LLM, T0, Optional.of(ErrorCategory.TIMEOUT));

        assertThat(states.patterns(LLM, T0)).containsExactly(ErrorCategory.TIMEOUT);
        assertThat(pattern(ErrorCategory.TIMEOUT)).isEqualTo(1.0);
        assertThat(states.patterns(LLM, T0.plusSeconds(11))).as("the window moved past them").isEmpty();
    }

    @Test
    void shouldReturnTheStateItKeeps() {
        states.firstAttempt(LLM, T0);

        final TargetRetryState after = states.outcome(LLM, T0, Optional.empty());

        assertThat(states.get(LLM)).isEqualTo(after);
    }

    private double pattern(final ErrorCategory category) {
        final Gauge g = metrics.registry().find("rebound.errors.pattern").tags("target", "llm", "task", "0_1", "category", category.name()).gauge();
        return g == null ? 0.0 : g.value();
    }
}
