package dev.rebound.config;

import dev.rebound.testkit.Configs;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code results.replyTopics}: glob patterns read from the configuration and checked there. */
class ResultSettingsTest {

    @Test
    void shouldReadTheReplyTopicPatternsFromTheConfiguration() {
        final ReboundConfig config = Configs.parse("""
                kafka: { application.id: a }
                results:
                  replyTopics: ["agent-results-*", "exact"]
                targets:
                  llm: { url: "http://127.0.0.1:1/x" }
                """);
        assertThat(config.results().replyTopics()).containsExactly("agent-results-*", "exact");
        assertThat(config.results().allows("agent-results-planner")).isTrue();
        assertThat(config.results().allows("exact")).isTrue();
        assertThat(config.results().allows("exactly")).isFalse();
        assertThat(config.results().allows("my-agent-results-x")).as("a glob is anchored").isFalse();
    }

    @Test
    void shouldAllowNoReplyTopicByDefault() {
        final ReboundConfig config = Configs.parse("""
                kafka: { application.id: a }
                targets:
                  llm: { url: "http://127.0.0.1:1/x" }
                """);
        assertThat(config.results()).isEqualTo(ResultSettings.DEFAULT);
        assertThat(config.results().allows("agent-results")).isFalse();
    }

    @Test
    void shouldTreatDotsLiterallyAndStarAsAnyRun() {
        final ResultSettings s = new ResultSettings(List.of("team.*.replies"));
        assertThat(s.allows("team.search.replies")).isTrue();
        assertThat(s.allows("teamXsearchXreplies")).isFalse();
    }

    @Test
    void shouldNameThePatternThatIsNoTopicName() {
        assertThatThrownBy(() -> new ResultSettings(List.of("ok-*", "bad/name")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("results.replyTopics[1]");
    }
}
