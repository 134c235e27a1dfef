package dev.rebound.ratelimit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.rebound.request.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class UsageTest {

    private static JsonNode json(final String text) throws Exception {
        return Json.DOOR.readTree(text);
    }

    /** Response bodies as the providers document them, trimmed to what matters. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "OpenAI chat | {\"id\":\"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG\",\"object\":\"chat.completion\",\"created\":1741570283,"
                    + "\"model\":\"gpt-4o-2024-08-06\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"The image shows...\"},"
                    + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":1117,\"completion_tokens\":46,\"total_tokens\":1163,"
                    + "\"prompt_tokens_details\":{\"cached_tokens\":0,\"audio_tokens\":0},\"completion_tokens_details\":{\"reasoning_tokens\":0}}} | 1163",
            "OpenAI chat without a total | {\"usage\":{\"prompt_tokens\":13,\"completion_tokens\":7}} | 20",
            "OpenAI Responses | {\"id\":\"resp_67ccd2bed1ec8190b14f964abc054267\",\"object\":\"response\",\"status\":\"completed\","
                    + "\"usage\":{\"input_tokens\":36,\"input_tokens_details\":{\"cached_tokens\":0},\"output_tokens\":87,"
                    + "\"output_tokens_details\":{\"reasoning_tokens\":0},\"total_tokens\":123}} | 123",
            "OpenAI Responses without a total | {\"object\":\"response\",\"usage\":{\"input_tokens\":36,\"output_tokens\":87,"
                    + "\"input_tokens_details\":{\"cached_tokens\":30}}} | 123",
            "Anthropic | {\"id\":\"msg_013Zva2CMHLNnXjNJJKqJ2EF\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\","
                    + "\"content\":[{\"type\":\"text\",\"text\":\"Hi! My name is Claude.\"}],\"stop_reason\":\"end_turn\",\"stop_sequence\":null,"
                    + "\"usage\":{\"input_tokens\":2095,\"output_tokens\":503}} | 2598",
            "Anthropic with prompt caching | {\"type\":\"message\",\"usage\":{\"input_tokens\":21,\"cache_creation_input_tokens\":188086,"
                    + "\"cache_read_input_tokens\":0,\"output_tokens\":393,\"service_tier\":\"standard\"}} | 188500",
            "Anthropic reading the cache | {\"type\":\"message\",\"usage\":{\"input_tokens\":21,\"cache_creation_input_tokens\":0,"
                    + "\"cache_read_input_tokens\":188086,\"output_tokens\":393,\"cache_creation\":{\"ephemeral_5m_input_tokens\":0}}} | 188500",
            "Gemini | {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Hello\"}],\"role\":\"model\"},\"finishReason\":\"STOP\"}],"
                    + "\"usageMetadata\":{\"promptTokenCount\":8,\"candidatesTokenCount\":12,\"totalTokenCount\":20,"
                    + "\"promptTokensDetails\":[{\"modality\":\"TEXT\",\"tokenCount\":8}]},\"modelVersion\":\"gemini-2.0-flash\"} | 20",
            "Gemini thinking without a total | {\"usageMetadata\":{\"promptTokenCount\":8,\"candidatesTokenCount\":12,\"thoughtsTokenCount\":300}} | 320",
            "Gemini streamed as one array | [{\"candidates\":[],\"usageMetadata\":{\"promptTokenCount\":8,\"totalTokenCount\":8}},"
                    + "{\"candidates\":[],\"usageMetadata\":{\"promptTokenCount\":8,\"candidatesTokenCount\":40,\"totalTokenCount\":48}},"
                    + "{\"candidates\":[]}] | 48",
    })
    void shouldReadWhatEachProviderReports(final String provider, final String body, final long expected) throws Exception {
        assertThat(Usage.totalTokens(json(body))).as(provider).hasValue(expected);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "a broken total falls back to the parts | {\"usage\":{\"total_tokens\":\"20\",\"prompt_tokens\":13,\"completion_tokens\":7}} | 20",
            "a negative part is left out | {\"usage\":{\"input_tokens\":-5,\"output_tokens\":7}} | 7",
            "a fractional part is left out | {\"usage\":{\"input_tokens\":10.5,\"output_tokens\":7}} | 7",
            "a whole number written as a decimal counts | {\"usage\":{\"total_tokens\":20.0}} | 20",
            "an absurd total falls back to the parts | {\"usage\":{\"total_tokens\":1000000001,\"prompt_tokens\":13,\"completion_tokens\":7}} | 20",
            "exactly the bound is believed | {\"usage\":{\"total_tokens\":1000000000}} | 1000000000",
            "an empty usage falls back to Gemini's | {\"usage\":{},\"usageMetadata\":{\"totalTokenCount\":9}} | 9",
    })
    void shouldUseWhatIsReadableAndSkipTheRest(final String what, final String body, final long expected) throws Exception {
        assertThat(Usage.totalTokens(json(body))).as(what).hasValue(expected);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "an empty object | {}",
            "no usage | {\"choices\":[]}",
            "usage null | {\"usage\":null}",
            "usage a number | {\"usage\":42}",
            "usage an array | {\"usage\":[1,2]}",
            "numbers as strings | {\"usage\":{\"prompt_tokens\":\"13\",\"completion_tokens\":\"7\"}}",
            "all negative | {\"usage\":{\"total_tokens\":-1,\"input_tokens\":-1}}",
            "beyond a long | {\"usage\":{\"total_tokens\":99999999999999999999999999}}",
            "beyond a double | {\"usage\":{\"total_tokens\":1e400}}",
            "Gemini metadata broken | {\"usageMetadata\":{\"totalTokenCount\":true,\"promptTokenCount\":null}}",
            "an empty array | []",
            "an array of scalars | [1,\"two\",null]",
            "a string | \"usage\"",
            "a number | 1163",
            "null | null",
    })
    void shouldBeEmptyWhenNothingUsableIsReported(final String what, final String body) throws Exception {
        assertThat(Usage.totalTokens(json(body))).as(what).isEmpty();
    }

    @Test
    void shouldBeEmptyForNoBodyAndForNonFiniteDoubles() {
        assertThat(Usage.totalTokens(null)).isEmpty();
        assertThat(Usage.totalTokens(TextNode.valueOf("{\"usage\":{\"total_tokens\":5}}"))).isEmpty();
        final JsonNode nan = JsonNodeFactory.instance.objectNode()
                .set("usage", JsonNodeFactory.instance.objectNode()
                        .<com.fasterxml.jackson.databind.node.ObjectNode>set("total_tokens", DoubleNode.valueOf(Double.NaN))
                        .set("output_tokens", DoubleNode.valueOf(Double.POSITIVE_INFINITY)));
        assertThat(Usage.totalTokens(nan)).isEmpty();
    }
}
