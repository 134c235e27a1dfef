package dev.rebound.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rebound.config.Limits;
import dev.rebound.request.Json;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** The chaos demo's load and the checks it makes of the terminal records, without a broker. */
class ChaosSummaryTest {

    private static final String SECRET = "Bearer sk-demo-not-a-real-key-0123";
    private static final List<DemoLoad.Item> ITEMS = IntStream.range(0, 100).mapToObj(new DemoLoad("run1", true, Limits.DEFAULT)::item).toList();

    /** What a correct processor answers: each request's id as sent, echoes intact, the quoted secret masked. */
    private static Map<String, JsonNode> correctAnswers() {
        final Map<String, JsonNode> out = new HashMap<>();
        for (final DemoLoad.Item item : ITEMS) {
            final ObjectNode r = Json.MAPPER.createObjectNode().put("id", item.id());
            switch (item.kind()) {
                case BAD -> r.put("reason", "INVALID_REQUEST");
                case SECRET_ECHO -> r.put("outcome", "FALLBACK").putObject("lastError")
                        .put("message", "The server had an error while processing your request. (Authorization: ***)");
                case HEADER_VALUE_ECHO -> r.put("outcome", "SUCCEEDED").putObject("response")
                        .put("content", "Simulated answer. (anthropic-version: 2023-06-01)");
                default -> r.put("outcome", "SUCCEEDED");
            }
            out.put(item.key(), r);
        }
        return out;
    }

    @Test
    void shouldMixEveryKindOfHardRequestIntoTheChaosLoad() {
        final Set<DemoLoad.Kind> kinds = EnumSet.noneOf(DemoLoad.Kind.class);
        ITEMS.forEach(i -> kinds.add(i.kind()));
        assertThat(kinds).containsExactlyInAnyOrder(DemoLoad.Kind.values());
        assertThat(ITEMS.stream().filter(i -> i.kind() == DemoLoad.Kind.HEADER_VALUE_ID || i.kind() == DemoLoad.Kind.HEADER_VALUE_ECHO))
                .allSatisfy(i -> assertThat(i.id()).contains(DemoLoad.HEADER_VALUE));
        assertThat(ITEMS.stream().filter(i -> i.kind() == DemoLoad.Kind.NO_DEADLINE))
                .allSatisfy(i -> assertThat(new String(i.value(), StandardCharsets.UTF_8)).doesNotContain("timeoutMs", "deadline"));
        assertThat(new DemoLoad("run1").item(3).kind()).as("the usual load has none of them").isEqualTo(DemoLoad.Kind.USUAL);
    }

    @Test
    void shouldPassWhenIdsAndAnswersComeBackAsSentAndTheSecretIsMasked() {
        final ChaosSummary s = ChaosSummary.check(ITEMS, correctAnswers()::get, SECRET, Map.of("stallBody", 3L), List.of())
                .withHealth("live and ready");
        assertThat(s.rewritten()).isZero();
        assertThat(s.leaked()).isZero();
        assertThat(s.masked()).isEqualTo(s.secretEchoes()).isPositive();
        assertThat(s.nestingLimit()).isEqualTo("SUCCEEDED");
        assertThat(s.clean()).isTrue();
        assertThat(s.table()).contains("came back as sent", "none leaked");
    }

    @Test
    void shouldCountARewrittenIdALeakedSecretAndALimitRequestDeadLettered() {
        final Map<String, JsonNode> answers = correctAnswers();
        final DemoLoad.Item hv = ITEMS.stream().filter(i -> i.kind() == DemoLoad.Kind.HEADER_VALUE_ECHO).findFirst().orElseThrow();
        ((ObjectNode) answers.get(hv.key())).put("id", hv.id().replace(DemoLoad.HEADER_VALUE, "***"));
        final DemoLoad.Item usual = ITEMS.stream().filter(i -> i.kind() == DemoLoad.Kind.USUAL).findFirst().orElseThrow();
        ((ObjectNode) answers.get(usual.key())).put("message", "bad key sk-demo-not-a-real-key-0123");
        final DemoLoad.Item deep = ITEMS.stream().filter(i -> i.kind() == DemoLoad.Kind.NESTING_LIMIT).findFirst().orElseThrow();
        answers.put(deep.key(), Json.MAPPER.createObjectNode().put("id", deep.id()).put("reason", "PROCESSING_ERROR"));

        final ChaosSummary s = ChaosSummary.check(ITEMS, answers::get, SECRET, Map.of(), List.of());

        assertThat(s.rewritten()).isEqualTo(1);
        assertThat(s.leaked()).isEqualTo(1);
        assertThat(s.nestingLimit()).isEqualTo("dead-lettered PROCESSING_ERROR");
        assertThat(s.clean()).isFalse();
        assertThat(s.problems()).anySatisfy(p -> assertThat(p).contains("id rewritten to"));
    }

    @Test
    void shouldFailTheRunWhenAValidRequestHasNoResult() {
        final ChaosSummary clean = ChaosSummary.check(ITEMS, correctAnswers()::get, SECRET, Map.of(), List.of())
                .withHealth("live and ready");
        assertThat(clean.withHealth("NOT ready: [streamsRunning (Kafka Streams is REBALANCING)]").clean())
                .as("a processor that is not ready at the end fails the run").isFalse();
        final DemoSummary answered = new DemoSummary(100, 95, 0, 5, 95, 0, 0, 0, 5, Map.of(), Map.of(), List.of(), List.of(), 1, 95, clean);
        final DemoSummary oneDeadLettered = new DemoSummary(100, 94, 0, 6, 95, 0, 0, 0, 5, Map.of(), Map.of(), List.of(), List.of(), 1, 94,
                clean);
        assertThat(answered.passed()).isTrue();
        assertThat(oneDeadLettered.passed()).isFalse();
        assertThat(new DemoSummary(100, 94, 0, 6, 95, 0, 0, 0, 5, Map.of(), Map.of(), List.of(), List.of(), 1, 94, ChaosSummary.NONE)
                .passed()).as("other scenarios: only lost and duplicated count").isTrue();
    }
}
