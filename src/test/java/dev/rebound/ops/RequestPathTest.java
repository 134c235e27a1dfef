package dev.rebound.ops;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code /requests/{key}/{id}}: any key and id travel as one path segment each and come back unchanged. */
class RequestPathTest {

    @ParameterizedTest
    @ValueSource(strings = {"plain", "session/7", "a b", "a+b", "100%", "é ü 名前", "q?x=1&y#frag", "..", "%2F"})
    void shouldDecodeWhatItEncodedUnchanged(final String text) {
        final RequestPath p = new RequestPath(text, text + "-id");

        final String raw = p.path();

        assertThat(raw.substring(RequestPath.PREFIX.length())).matches("[A-Za-z0-9._*%-]+/[A-Za-z0-9._*%-]+");
        assertThat(RequestPath.parse(raw)).isEqualTo(p);
    }

    @Test
    void shouldReadAPlusAsAPlusAsInAPathNotAForm() {
        assertThat(RequestPath.parse("/requests/a+b/id%201")).isEqualTo(new RequestPath("a+b", "id 1"));
    }

    @Test
    void shouldRefuseAPathWithoutExactlyAKeyAndAnId() {
        assertThatThrownBy(() -> RequestPath.parse("/requests/only")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RequestPath.parse("/requests/a/b/c")).hasMessageContaining("%2F");
        assertThatThrownBy(() -> RequestPath.parse("/requests//id")).isInstanceOf(IllegalArgumentException.class);
    }
}
