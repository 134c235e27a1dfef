package dev.rebound.request;

import dev.rebound.classify.Classification;
import dev.rebound.classify.ErrorClassifier;
import dev.rebound.classify.Failure;
import dev.rebound.config.ReboundConfig;
import dev.rebound.testkit.Configs;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Properties: no input makes the parser or the classifier throw; they answer with a clean verdict. */
class ParserPropertiesTest {

    private static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");
    private final ReboundConfig config = Configs.twoTargets("http://127.0.0.1:1");
    private final RequestParser parser = new RequestParser(config.targets(), config.limits());

    @Property(tries = 2000)
    void shouldNeverThrowOnArbitraryBytes(@ForAll final byte[] bytes) {
        assertThat(parser.parse(bytes, NOW)).isNotNull();
    }

    @Property(tries = 2000)
    void shouldNeverThrowOnRequestShapedJson(@ForAll("requests") final String json) {
        final ParseResult r = parser.parse(json.getBytes(StandardCharsets.UTF_8), NOW);
        if (r instanceof ParseResult.Rejected rejected) {
            assertThat(rejected.message()).isNotBlank();
            assertThat(Json.text(rejected.echo())).isNotNull();
        } else {
            assertThat(((ParseResult.Valid) r).request().id()).matches("[\\x21-\\x7E]{1,200}");
        }
    }

    @Provide
    Arbitrary<String> requests() {
        final Arbitrary<String> values = Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(30).map(s -> "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\""),
                Arbitraries.integers().map(String::valueOf), Arbitraries.of("null", "true", "{}", "[]", "{\"q\":1}", "1e309", "-0"));
        final Arbitrary<String> keys = Arbitraries.of("id", "target", "payload", "deadline", "timeoutMs", "cacheKey", "metadata",
                "replayOf", "url", "x");
        return Arbitraries.maps(keys, values).ofMaxSize(8).map(m -> {
            final StringBuilder b = new StringBuilder("{");
            m.forEach((k, v) -> b.append(b.length() > 1 ? "," : "").append('"').append(k).append("\":").append(v));
            return b.append('}').toString();
        });
    }

    @Property(tries = 2000)
    void shouldClassifyAnyResponseWithoutThrowing(@ForAll @IntRange(min = 100, max = 999) final int status,
                                                   @ForAll("bodies") final String body, @ForAll("headerValues") final String hint) {
        final Classification c = ErrorClassifier.defaults().classify(new Failure.Http(status,
                Map.of("Retry-After", List.of(hint), "retry-after-ms", List.of(hint), "x-ratelimit-reset-requests", List.of(hint)), body), NOW);
        assertThat(c.category()).isNotNull();
        assertThat(c.message()).isNotNull();
        c.retryAfter().ifPresent(d -> assertThat(d.isNegative()).isFalse());
    }

    @Provide
    Arbitrary<String> bodies() {
        return Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(200),
                Arbitraries.of("{\"error\":{\"type\":\"rate_limit_error\",\"message\":\"retry after 9999999999999 seconds\"}}",
                        "{\"error\":null}", "{\"error\":{\"details\":[{\"retryDelay\":\"-5s\"}]}}", "{\"error\":[1,2]}", "{", "[]"));
    }

    @Provide
    Arbitrary<String> headerValues() {
        return Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(40),
                Arbitraries.of("-1", "1e400", "NaN", "Infinity", "Sun, 29 Nov 1970 12:00:00 GMT", "999999999999999999999", "6m0s", "0.5"));
    }
}
