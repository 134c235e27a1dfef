package dev.rebound.config;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class RedactorTest {

    private final Redactor redactor = new Redactor(Set.of("Bearer sk-live-0123456789", "pa\"ss\\word-xyz", "abc"));

    @Test
    void shouldReplaceTheHeaderValueAndTheBareToken() {
        assertThat(redactor.apply("auth=Bearer sk-live-0123456789")).isEqualTo("auth=***");
        assertThat(redactor.apply("key sk-live-0123456789 was rejected")).isEqualTo("key *** was rejected");
    }

    @Test
    void shouldReplaceTheJsonEscapedSpelling() {
        assertThat(redactor.apply("{\"p\":\"pa\\\"ss\\\\word-xyz\"}")).isEqualTo("{\"p\":\"***\"}");
    }

    @Test
    void shouldLeaveShortValuesAlone() {
        assertThat(redactor.apply("abc is not a secret worth masking")).startsWith("abc");
    }
}
