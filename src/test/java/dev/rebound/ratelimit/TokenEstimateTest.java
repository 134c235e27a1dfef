package dev.rebound.ratelimit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import dev.rebound.request.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

class TokenEstimateTest {

    /** The reference the chunked count is held to: the same encoding over the whole text at once. */
    private static final Encoding REFERENCE = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.O200K_BASE);

    private static JsonNode json(final String text) throws Exception {
        return Json.DOOR.readTree(text);
    }

    @Test
    void shouldCountKnownO200kTokens() {
        // o200k_base: "Hello" "," " world" "!" and "Hello" "!"
        assertThat(TokenEstimate.count("Hello, world!")).isEqualTo(4);
        assertThat(TokenEstimate.count("Hello!")).isEqualTo(2);
        assertThat(TokenEstimate.count("")).isZero();
    }

    /** Every shape says "Hello!" (2 tokens) where the provider reads text, plus 4 per message and the output limit. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "OpenAI chat, string content | {\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello!\"}],\"max_tokens\":50} | 56",
            "OpenAI chat, parts and an image | {\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Hello!\"},"
                    + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://example.com/cat.png\"}}]}],\"max_completion_tokens\":50} | 56",
            "OpenAI chat, system and user | {\"messages\":[{\"role\":\"developer\",\"content\":\"Hello!\"},{\"role\":\"user\",\"content\":\"Hello!\"}],\"max_tokens\":50} | 62",
            "OpenAI completions, prompt | {\"model\":\"gpt-3.5-turbo-instruct\",\"prompt\":\"Hello!\",\"max_tokens\":50} | 56",
            "OpenAI completions, token ids | {\"prompt\":[13225,0],\"max_tokens\":50} | 56",
            "OpenAI completions, prompts | {\"prompt\":[\"Hello!\",\"Hello!\"],\"max_tokens\":50} | 58",
            "Responses, instructions and input | {\"model\":\"gpt-4.1\",\"instructions\":\"Hello!\",\"input\":\"Hello!\",\"max_output_tokens\":50} | 62",
            "Responses, input items | {\"model\":\"gpt-4.1\",\"input\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"Hello!\"}]},"
                    + "{\"role\":\"assistant\",\"content\":\"Hello!\"}],\"max_output_tokens\":50} | 62",
            "Anthropic, strings | {\"model\":\"claude-sonnet-4-5\",\"max_tokens\":1024,\"system\":\"Hello!\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello!\"}]} | 1036",
            "Anthropic, blocks and a tool result | {\"max_tokens\":50,\"system\":[{\"type\":\"text\",\"text\":\"Hello!\",\"cache_control\":{\"type\":\"ephemeral\"}}],"
                    + "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_01\",\"content\":[{\"type\":\"text\",\"text\":\"Hello!\"}]},"
                    + "{\"type\":\"text\",\"text\":\"Hello!\"}]}]} | 64",
            "Anthropic, tool result as a string | {\"max_tokens\":50,\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_01\",\"content\":\"Hello!\"}]}]} | 56",
            "Gemini | {\"systemInstruction\":{\"parts\":[{\"text\":\"Hello!\"}]},\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"Hello!\"}]}],"
                    + "\"generationConfig\":{\"temperature\":0.2,\"maxOutputTokens\":50}} | 62",
            "Gemini, snake case | {\"system_instruction\":{\"parts\":[{\"text\":\"Hello!\"}]},\"contents\":[{\"parts\":[{\"text\":\"Hello!\"},{\"inline_data\":{\"mime_type\":\"image/png\",\"data\":\"iVBORw0K\"}}]}],"
                    + "\"generation_config\":{\"max_output_tokens\":50}} | 62",
    })
    void shouldCountTheTextEachProviderReadsAndTheOutputItAllows(final String shape, final String payload, final long expected)
            throws Exception {
        assertThat(TokenEstimate.estimate(json(payload))).as(shape).isEqualTo(expected);
    }

    @Test
    void shouldReserveTheLargestOutputLimitPresent() throws Exception {
        final JsonNode payload = json("{\"messages\":[{\"role\":\"user\",\"content\":\"Hello!\"}],"
                + "\"max_tokens\":10,\"max_completion_tokens\":300,\"max_output_tokens\":20}");
        assertThat(TokenEstimate.estimate(payload)).isEqualTo(4 + 2 + 300);
    }

    @Test
    void shouldAddNoOutputWhenNoLimitIsSet() throws Exception {
        assertThat(TokenEstimate.estimate(json("{\"messages\":[{\"role\":\"user\",\"content\":\"Hello!\"}]}"))).isEqualTo(6);
    }

    @Test
    void shouldFallBackToFourCharactersPerTokenWhenNoKnownTextIsThere() throws Exception {
        final JsonNode payload = json("{\"query\":\"" + "x".repeat(400) + "\",\"max_tokens\":100}");
        final long jsonLength = payload.toString().length();
        assertThat(TokenEstimate.estimate(payload)).isCloseTo(jsonLength / 4 + 100, within(2L));
        assertThat(TokenEstimate.estimate(json("[\"Hello!\",\"Hello!\"]"))).isCloseTo("[\"Hello!\",\"Hello!\"]".length() / 4, within(1L));
        assertThat(TokenEstimate.estimate(TextNode.valueOf("x".repeat(40)))).isCloseTo(10L, within(1L));
    }

    @Test
    void shouldTreatAnEmptyMessageListAsNoKnownText() throws Exception {
        final JsonNode payload = json("{\"messages\":[],\"note\":\"" + "y".repeat(400) + "\"}");
        assertThat(TokenEstimate.estimate(payload)).isGreaterThan(100);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "a number as a string | \"100\" | 6",
            "negative | -5 | 6",
            "a fraction | 12.5 | 6",
            "a whole number written as a decimal | 100.0 | 106",
            "a boolean | true | 6",
            "an object | {\"n\":5} | 6",
            "null | null | 6",
            "huge | 1e30 | 1000000000",
            "beyond a long | 99999999999999999999999999 | 1000000000",
    })
    void shouldIgnoreOrCapAnOutputLimitThatCannotBeRead(final String what, final String value, final long expected) throws Exception {
        final JsonNode payload = json("{\"messages\":[{\"role\":\"user\",\"content\":\"Hello!\"}],\"max_tokens\":" + value + "}");
        assertThat(TokenEstimate.estimate(payload)).as(what).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "messages an object | {\"messages\":{\"content\":\"Hello!\"}}",
            "message a number | {\"messages\":[7,null,\"Hello!\"]}",
            "content a number | {\"messages\":[{\"content\":42}]}",
            "parts not an array | {\"contents\":[{\"parts\":{\"text\":\"Hello!\"}}]}",
            "text a number | {\"contents\":[{\"parts\":[{\"text\":3}]}],\"system\":5,\"instructions\":[1]}",
            "generationConfig a string | {\"generationConfig\":\"big\",\"prompt\":{\"a\":1}}",
            "input of nulls | {\"input\":[null,{\"content\":null}]}",
    })
    void shouldNeverThrowOnAnUnexpectedShape(final String what, final String payload) throws Exception {
        assertThat(TokenEstimate.estimate(json(payload))).as(what).isBetween(0L, TokenEstimate.MAX_ESTIMATE);
    }

    @Test
    void shouldReturnZeroForNothing() {
        assertThat(TokenEstimate.estimate(null)).isZero();
        assertThat(TokenEstimate.estimate(MissingNode.getInstance())).isZero();
    }

    @Test
    void shouldSurviveNestingFarDeeperThanAnyParserAllows() {
        ArrayNode deep = JsonNodeFactory.instance.arrayNode();
        final ArrayNode root = deep;
        for (int i = 0; i < 200_000; i++) {
            final ArrayNode next = JsonNodeFactory.instance.arrayNode();
            deep.add(next);
            deep = next;
        }
        final JsonNode payload = JsonNodeFactory.instance.objectNode().set("payload", root);
        assertThat(TokenEstimate.estimate(payload)).isBetween(100_000L, 200_000L);
    }

    @Test
    void shouldCountSpecialTokenTextAsOrdinaryText() {
        assertThat(TokenEstimate.count("<|endoftext|> and <|im_start|>")).isGreaterThan(5);
    }

    @Test
    void shouldCountLongOrdinaryTextExactlyDespiteChunking() {
        final String text = "The quick brown fox jumps over the lazy dog, then naps.\n\n".repeat(500);
        assertThat(text.length()).isGreaterThan(20 * TokenEstimate.CHUNK);
        assertThat(TokenEstimate.count(text)).isEqualTo(REFERENCE.countTokensOrdinary(text));
    }

    @Test
    void shouldStayCloseOnTextWithNoPlaceToCut() {
        final String run = "a".repeat(50 * TokenEstimate.CHUNK + 7);
        final long whole = REFERENCE.countTokensOrdinary(run);
        // each cut can at most add a token or so at the boundary
        assertThat(TokenEstimate.count(run)).isBetween(whole, whole + 2 * 51);
    }

    @Test
    void shouldNeverCutASurrogatePairInTwo() {
        final String text = "a".repeat(TokenEstimate.CHUNK - 1) + "\uD83D\uDE00" + "a".repeat(10);
        assertThat(TokenEstimate.count(text))
                .isEqualTo(REFERENCE.countTokensOrdinary("a".repeat(TokenEstimate.CHUNK - 1))
                        + REFERENCE.countTokensOrdinary("\uD83D\uDE00" + "a".repeat(10)));
    }

    @Test
    void shouldCountALoneSurrogateWithoutFailing() {
        assertThat(TokenEstimate.count("broken \uD83D text \uDE00")).isPositive();
    }

    /**
     * An 896 KiB payload, the largest a request may carry, in the shapes that are slowest for a
     * byte-pair tokenizer: a long unbroken run, random letters, CJK, base64. The bound is generous (the
     * machine may be busy); it catches a quadratic walk, which takes minutes here.
     */
    @Test
    void shouldEstimateTheLargestPayloadQuickly() {
        final int bytes = 896 * 1024;
        final Random random = new Random(7);
        final StringBuilder letters = new StringBuilder(bytes);
        final StringBuilder cjk = new StringBuilder(bytes / 3);
        final StringBuilder base64 = new StringBuilder(bytes);
        while (letters.length() < bytes) {
            letters.append((char) ('a' + random.nextInt(26)));
        }
        while (cjk.length() < bytes / 3) {
            cjk.append((char) (0x4E00 + random.nextInt(20_000)));
        }
        final String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        while (base64.length() < bytes) {
            base64.append(alphabet.charAt(random.nextInt(64)));
        }
        final String english = "The quick brown fox jumps over the lazy dog. ".repeat(bytes / 45);
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            for (final String text : new String[] {"a".repeat(bytes), letters.toString(), cjk.toString(), base64.toString(), english}) {
                final JsonNode payload = JsonNodeFactory.instance.objectNode()
                        .set("messages", JsonNodeFactory.instance.arrayNode()
                                .add(JsonNodeFactory.instance.objectNode().put("role", "user").put("content", text)));
                assertThat(TokenEstimate.estimate(payload)).isPositive();
            }
        });
    }
}
