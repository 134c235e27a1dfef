package dev.rebound.circuit;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TransitionTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"CLOSED, OPEN", "OPEN, HALF_OPEN", "HALF_OPEN, CLOSED", "HALF_OPEN, OPEN"})
    void shouldAllowTheDesignedMoves(final CircuitState from, final CircuitState to) {
        final Transition t = Transition.between(from, to);
        assertThat(t.from()).isEqualTo(from);
        assertThat(t.to()).isEqualTo(to);
    }

    @ParameterizedTest(name = "{0} -> {1} is a bug")
    @CsvSource({"CLOSED, HALF_OPEN", "CLOSED, CLOSED", "OPEN, CLOSED", "OPEN, OPEN", "HALF_OPEN, HALF_OPEN"})
    void shouldThrowOnAnyOtherMove(final CircuitState from, final CircuitState to) {
        assertThatThrownBy(() -> Transition.between(from, to)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(from + " -> " + to);
    }
}
