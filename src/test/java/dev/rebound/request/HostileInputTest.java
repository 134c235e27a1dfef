package dev.rebound.request;

import dev.rebound.config.Limits;
import dev.rebound.config.ReboundConfig;
import dev.rebound.testkit.Configs;
import dev.rebound.testkit.HostileCorpus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Every record of the hostile corpus is rejected with the right reason and a message that says why. */
class HostileInputTest {

    private static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");
    private final ReboundConfig config = Configs.twoTargets("http://127.0.0.1:1");
    private final RequestParser parser = new RequestParser(config.targets(), config.limits());

    static List<HostileCorpus.Case> corpus() {
        return HostileCorpus.cases();
    }

    @Test
    void shouldHoldAtLeastThirtyBadRecords() {
        assertThat(corpus()).hasSizeGreaterThanOrEqualTo(30);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void shouldRejectEveryHostileRecord(final HostileCorpus.Case c) {
        final ParseResult r = parser.parse(c.value(), NOW);
        assertThat(r).isInstanceOf(ParseResult.Rejected.class);
        final ParseResult.Rejected rejected = (ParseResult.Rejected) r;
        assertThat(rejected.reason().name()).isEqualTo(c.reason());
        assertThat(rejected.message()).contains(c.fragment());
        assertThat(Json.text(rejected.echo())).as("the echo always serializes").isNotEmpty();
    }

    @Test
    void shouldRejectATenMegabytePayloadUnread() {
        final byte[] big = ("{\"id\":\"big\",\"target\":\"llm\",\"payload\":{\"q\":\"" + "z".repeat(10 << 20) + "\"}}")
                .getBytes(StandardCharsets.UTF_8);
        final ParseResult.Rejected r = (ParseResult.Rejected) parser.parse(big, NOW);
        assertThat(r.message()).contains("limits.maxRequestBytes");
        assertThat(Json.text(r.echo()).length()).as("a dead letter stays small").isLessThan(100_000);
    }

    @Test
    void shouldRejectTenThousandLevelsOfNesting() {
        final String deep = "{\"id\":\"deep\",\"target\":\"llm\",\"payload\":{\"a\":" + "[".repeat(10_000) + "]".repeat(10_000) + "}}";
        final RequestParser roomy = new RequestParser(config.targets(), new Limits(1 << 20, 1 << 19, 1 << 19, 10, Duration.ofMinutes(10)));
        final ParseResult.Rejected r = (ParseResult.Rejected) roomy.parse(deep.getBytes(StandardCharsets.UTF_8), NOW);
        assertThat(r.reason()).isEqualTo(DeadLetterReason.INVALID_REQUEST);
        assertThat(r.message()).contains("nesting");
    }
}
