package dev.rebound.demo;

import dev.rebound.config.Limits;
import dev.rebound.config.ReboundConfig;
import dev.rebound.request.Json;
import dev.rebound.request.ParseResult;
import dev.rebound.request.RequestParser;
import dev.rebound.testkit.Configs;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** The requests at the input limits are the largest and deepest the parser accepts, and no larger. */
class LimitRequestsTest {

    private static final ReboundConfig CONFIG = Configs.parse("""
            targets:
              llm:
                url: http://127.0.0.1:9/v1/chat
            """);
    private static final RequestParser PARSER = new RequestParser(CONFIG.targets(), CONFIG.limits());

    private static ParseResult parse(final String json) {
        return PARSER.parse(json.getBytes(StandardCharsets.UTF_8), Instant.now());
    }

    @Test
    void shouldBuildTheDeepestRequestTheParserAccepts() {
        final String deepest = LimitRequests.deepest("deep-1", "llm", 30_000, "{\"status\":503,\"failTimes\":1}");
        assertThat(parse(deepest)).isInstanceOf(ParseResult.Valid.class);

        final String deeper = deepest.replace("\"deep\":[", "\"deep\":[[").replace("]}}", "]]}}");
        assertThat(parse(deeper)).as("one level more").isInstanceOfSatisfying(ParseResult.Rejected.class,
                r -> assertThat(r.message()).contains("nesting depth"));
    }

    @Test
    void shouldBuildARequestWhosePayloadIsExactlyAtTheLimit() throws Exception {
        final Limits limits = CONFIG.limits();
        final String big = LimitRequests.atPayloadLimit("big-1", "llm", 30_000, "{\"status\":503,\"failTimes\":1}", limits);
        assertThat(parse(big)).isInstanceOf(ParseResult.Valid.class);
        assertThat(LimitRequests.bytes(Json.MAPPER.readTree(big).get("payload"))).isEqualTo(limits.maxPayloadBytes());
        assertThat(big.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(limits.maxRequestBytes());

        final String over = big.replace("\"pad\":\"", "\"pad\":\"a");
        assertThat(parse(over)).as("one byte more").isInstanceOfSatisfying(ParseResult.Rejected.class,
                r -> assertThat(r.message()).contains("limits.maxPayloadBytes"));
    }
}
