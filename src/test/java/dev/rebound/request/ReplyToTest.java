package dev.rebound.request;

import dev.rebound.config.ReboundConfig;
import dev.rebound.config.ResultSettings;
import dev.rebound.testkit.Configs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A request's {@code replyTo} (DESIGN §2): allowed only where {@code results.replyTopics} says. */
class ReplyToTest {

    private static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");
    private final ReboundConfig config = Configs.twoTargets("http://127.0.0.1:1");
    private final RequestParser allowing = new RequestParser(config.targets(), config.limits(),
            new ResultSettings(List.of("agent-results-*", "team.*.replies")));
    private final RequestParser none = new RequestParser(config.targets(), config.limits());

    private static ParseResult parse(final RequestParser parser, final String replyTo) {
        return parser.parse(("{\"id\":\"a\",\"target\":\"llm\",\"payload\":{},\"replyTo\":" + replyTo + "}").getBytes(StandardCharsets.UTF_8), NOW);
    }

    @ParameterizedTest
    @CsvSource({"agent-results-planner", "agent-results-", "team.search.replies", "team..replies"})
    void shouldAcceptAReplyTopicThatAPatternAllows(final String topic) {
        final ParseResult r = parse(allowing, "\"" + topic + "\"");
        assertThat(r).isInstanceOf(ParseResult.Valid.class);
        assertThat(((ParseResult.Valid) r).request().replyTo()).contains(topic);
    }

    @Test
    void shouldRejectAnAllowedReplyTopicThatDoesNotExistRatherThanStopTheTasksSends() {
        final RequestParser checking = new RequestParser(config.targets(), config.limits(),
                new ResultSettings(List.of("agent-results-*")), "agent-results-planner"::equals);
        assertThat(parse(checking, "\"agent-results-planner\"")).isInstanceOf(ParseResult.Valid.class);
        final ParseResult r = parse(checking, "\"agent-results-typo\"");
        assertThat(r).isInstanceOf(ParseResult.Rejected.class);
        assertThat(((ParseResult.Rejected) r).reason()).isEqualTo(DeadLetterReason.INVALID_REQUEST);
        assertThat(((ParseResult.Rejected) r).message()).isEqualTo(
                "'replyTo' topic 'agent-results-typo' does not exist; create it first (rebound topics create --reply-topic agent-results-typo)");
    }

    @Test
    void shouldHaveNoReplyTopicWhenTheRequestNamesNone() {
        final ParseResult r = allowing.parse("{\"id\":\"a\",\"target\":\"llm\",\"payload\":{},\"replyTo\":null}".getBytes(StandardCharsets.UTF_8), NOW);
        assertThat(((ParseResult.Valid) r).request().replyTo()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "another topic           | \"agent-calls\"             | matches none of results.replyTopics [agent-results-*, team.*.replies]",
            "prefix only             | \"agent-results\"           | matches none of results.replyTopics",
            "a glob itself           | \"agent-results-*\"         | matches none of results.replyTopics",
            "illegal characters      | \"agent-results-a/b\"       | matches none of results.replyTopics",
            "not a string            | 7                          | 'replyTo' must be a topic name (a string), was a number"})
    void shouldRejectAReplyTopicThatNoPatternAllows(final String why, final String replyTo, final String message) {
        final ParseResult r = parse(allowing, replyTo);
        assertThat(r).isInstanceOf(ParseResult.Rejected.class);
        assertThat(((ParseResult.Rejected) r).reason()).isEqualTo(DeadLetterReason.INVALID_REQUEST);
        assertThat(((ParseResult.Rejected) r).message()).contains(message);
    }

    @Test
    void shouldRejectAnyReplyTopicWhenNoneIsConfigured() {
        final ParseResult r = parse(none, "\"agent-results-planner\"");
        assertThat(((ParseResult.Rejected) r).reason()).isEqualTo(DeadLetterReason.INVALID_REQUEST);
        assertThat(((ParseResult.Rejected) r).message()).contains("no results.replyTopics configured");
    }
}
