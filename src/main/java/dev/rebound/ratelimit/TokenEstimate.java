package dev.rebound.ratelimit;

import com.fasterxml.jackson.databind.JsonNode;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.Optional;

/**
 * The tokens an LLM call is expected to consume, reserved against a tokens-per-minute limit before the
 * call starts and settled later against what the provider reports ({@link Usage}). An estimate, not a
 * bill: it only has to be close and cheap, and it errs on the high side.
 *
 * <p><b>Input.</b> The text a provider counts, tokenized with {@code o200k_base} (the encoding of
 * OpenAI's current models; for Anthropic and Gemini, whose tokenizers are not public, it is an
 * approximation of the same order). Text is read only where the providers put it:
 * <ul>
 *   <li>OpenAI chat: {@code messages[].content}, a string or parts with {@code text};
 *       completions: {@code prompt} (a string, strings, or token ids, one token each);</li>
 *   <li>OpenAI Responses: {@code instructions}, {@code input} (a string, or items whose
 *       {@code content} is a string or parts with {@code text});</li>
 *   <li>Anthropic: {@code system} (a string or blocks), {@code messages[].content} (a string or
 *       blocks with {@code text}, and a {@code tool_result}'s own {@code content});</li>
 *   <li>Gemini: {@code contents[].parts[].text} and {@code systemInstruction} (REST also accepts
 *       {@code system_instruction}).</li>
 * </ul>
 * Each message, and each system prompt or instruction, adds {@link #MESSAGE_OVERHEAD} tokens for its
 * role and delimiters. Images, files, tool schemas and tool-call arguments are not counted; the
 * settlement corrects for them. A payload in which none of these fields holds a message or a string
 * (an unknown API, an empty {@code messages}) is estimated from the length of its JSON text at
 * {@link #CHARS_PER_TOKEN} characters per token, the usual rule of thumb for English.
 *
 * <p><b>Output.</b> The most the call may produce: the largest of {@code max_tokens},
 * {@code max_completion_tokens}, {@code max_output_tokens} and Gemini's
 * {@code generationConfig.maxOutputTokens}. When none is set nothing is added, since the model's own
 * default is unknown here; the settlement against the reported usage corrects the reservation.
 *
 * <p><b>Never throws.</b> A field that cannot be read (a number as a string, a negative or fractional
 * number, a wrong type) is skipped; the result is at most {@link #MAX_ESTIMATE}. The walk over known
 * fields has a fixed depth, and the fallback walk uses its own stack, so no nesting overflows it.
 *
 * <p><b>Cost.</b> Linear in the text: each string is tokenized in chunks of about {@link #CHUNK}
 * characters cut before a whitespace where possible (so ordinary text counts exactly), because the
 * tokenizer's byte-pair merge grows faster than linearly on one long unbroken run ({@code "aaaa..."},
 * base64, a long CJK sentence). No string is built from the payload except those chunks.
 */
public final class TokenEstimate {

    /** Tokens added per message for its role and delimiters (OpenAI's cookbook counts 3 to 4). */
    public static final int MESSAGE_OVERHEAD = 4;
    /** Characters per token when no known text field is found. */
    public static final int CHARS_PER_TOKEN = 4;
    /**
     * The largest estimate returned: no call uses a billion tokens, and the limiter may add a few
     * estimates without overflowing.
     */
    public static final long MAX_ESTIMATE = 1_000_000_000L;

    /** Characters per tokenizer call; see the class comment, "Cost". */
    static final int CHUNK = 1024;
    /** How far back from a chunk's end to look for a whitespace to cut before. */
    private static final int CUT_SEARCH = 64;

    /**
     * Loaded once (the lazy registry loads only this encoding, in well under a second, on the first
     * estimate); jtokkit's encodings are immutable and safe to share between threads.
     */
    private static final Encoding ENCODING = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.O200K_BASE);

    private static final String[] OUTPUT_LIMITS = {"max_tokens", "max_completion_tokens", "max_output_tokens"};

    private TokenEstimate() {
    }

    /**
     * @param payload the request body sent to the provider; any JSON, or {@code null}
     * @return the estimated tokens, in {@code [0, MAX_ESTIMATE]}
     */
    public static long estimate(final JsonNode payload) {
        if (payload == null) {
            return 0;
        }
        final Tally input = new Tally();
        if (payload.isObject()) {
            chatOrAnthropic(payload, input);
            openAiOther(payload, input);
            gemini(payload, input);
        }
        final long in = input.found ? input.tokens : jsonChars(payload) / CHARS_PER_TOKEN;
        return Math.min(MAX_ESTIMATE, Math.min(MAX_ESTIMATE, in) + maxOutput(payload));
    }

    /** The largest output limit the payload sets, at most {@link #MAX_ESTIMATE}; 0 when it sets none. */
    static long maxOutput(final JsonNode payload) {
        long max = 0;
        for (final String field : OUTPUT_LIMITS) {
            max = Math.max(max, JsonCount.of(payload.get(field)).orElse(0));
        }
        max = Math.max(max, JsonCount.of(either(payload, "generationConfig", "generation_config")
                .map(c -> either(c, "maxOutputTokens", "max_output_tokens").orElse(null)).orElse(null)).orElse(0));
        return Math.min(max, MAX_ESTIMATE);
    }

    /** OpenAI chat and Anthropic messages share {@code messages[].content}; Anthropic adds {@code system}. */
    private static void chatOrAnthropic(final JsonNode payload, final Tally tally) {
        final JsonNode messages = payload.get("messages");
        if (messages != null && messages.isArray()) {
            for (final JsonNode message : messages) {
                tally.message();
                if (message != null && message.isObject()) {
                    content(message.get("content"), tally);
                }
            }
        }
        final JsonNode system = payload.get("system");
        if (system != null && (system.isTextual() || system.isArray())) {
            tally.message();
            content(system, tally);
        }
    }

    /** Completions' {@code prompt}; the Responses API's {@code instructions} and {@code input}. */
    private static void openAiOther(final JsonNode payload, final Tally tally) {
        final JsonNode prompt = payload.get("prompt");
        if (prompt != null && (prompt.isTextual() || prompt.isArray())) {
            tally.message();
            prompt(prompt, tally);
        }
        final JsonNode instructions = payload.get("instructions");
        if (instructions != null && instructions.isTextual()) {
            tally.message();
            tally.text(instructions.textValue());
        }
        final JsonNode input = payload.get("input");
        if (input != null && input.isTextual()) {
            tally.message();
            tally.text(input.textValue());
        } else if (input != null && input.isArray()) {
            for (final JsonNode item : input) {
                tally.message();
                if (item != null && item.isTextual()) {
                    tally.text(item.textValue());
                } else if (item != null && item.isObject()) {
                    content(item.get("content"), tally);
                    text(item.get("text"), tally);
                }
            }
        }
    }

    /** A prompt is a string, strings, token ids (one token each), or arrays of token ids. */
    private static void prompt(final JsonNode prompt, final Tally tally) {
        if (prompt.isTextual()) {
            tally.text(prompt.textValue());
            return;
        }
        for (final JsonNode p : prompt) {
            if (p.isTextual()) {
                tally.text(p.textValue());
            } else if (p.isNumber()) {
                tally.tokens(1);
            } else if (p.isArray()) {
                tally.tokens(p.size());
            }
        }
    }

    /** Gemini: {@code contents[].parts[].text} and the system instruction, itself a content. */
    private static void gemini(final JsonNode payload, final Tally tally) {
        final JsonNode contents = payload.get("contents");
        if (contents != null && contents.isArray()) {
            for (final JsonNode content : contents) {
                tally.message();
                if (content != null && content.isObject()) {
                    parts(content.get("parts"), tally);
                }
            }
        }
        either(payload, "systemInstruction", "system_instruction").ifPresent(system -> {
            tally.message();
            if (system.isTextual()) {
                tally.text(system.textValue());
            } else if (system.isObject()) {
                parts(system.get("parts"), tally);
            }
        });
    }

    private static void parts(final JsonNode parts, final Tally tally) {
        if (parts != null && parts.isArray()) {
            for (final JsonNode part : parts) {
                if (part != null && part.isObject()) {
                    text(part.get("text"), tally);
                }
            }
        }
    }

    /**
     * A message's content: a string, or parts / blocks carrying {@code text}; an Anthropic
     * {@code tool_result} block carries its own content one level down (read once, not recursively).
     */
    private static void content(final JsonNode content, final Tally tally) {
        blocks(content, tally);
        if (content != null && content.isArray()) {
            for (final JsonNode block : content) {
                if (block != null && block.isObject() && "tool_result".equals(block.path("type").textValue())) {
                    blocks(block.get("content"), tally);
                }
            }
        }
    }

    private static void blocks(final JsonNode content, final Tally tally) {
        if (content == null) {
            return;
        }
        if (content.isTextual()) {
            tally.text(content.textValue());
        } else if (content.isArray()) {
            for (final JsonNode block : content) {
                if (block != null && block.isTextual()) {
                    tally.text(block.textValue());
                } else if (block != null && block.isObject()) {
                    text(block.get("text"), tally);
                }
            }
        }
    }

    private static void text(final JsonNode text, final Tally tally) {
        if (text != null && text.isTextual()) {
            tally.text(text.textValue());
        }
    }

    private static Optional<JsonNode> either(final JsonNode node, final String camel, final String snake) {
        final JsonNode a = node.get(camel);
        if (a != null && !a.isNull()) {
            return Optional.of(a);
        }
        final JsonNode b = node.get(snake);
        return b == null || b.isNull() ? Optional.empty() : Optional.of(b);
    }

    /** Tokens in {@code text}, counted chunk by chunk (see the class comment, "Cost"). */
    static long count(final String text) {
        final int n = text.length();
        long tokens = 0;
        int start = 0;
        while (start < n) {
            int end = Math.min(n, start + CHUNK);
            if (end < n) {
                end = cut(text, start, end);
            }
            // special tokens such as <|endoftext|> in user text are ordinary text, never an error
            tokens += ENCODING.countTokensOrdinary(text.substring(start, end));
            start = end;
        }
        return tokens;
    }

    /**
     * Where to end a chunk: before a space or tab that follows a non-space, where the tokenizer's own
     * pre-split always cuts too ({@code "dog,"} | {@code " then"}), so the count is the same as for the
     * whole text. Not before a line break: {@code ".\n\n"} is one piece. Failing that at {@code end},
     * but never inside a surrogate pair.
     */
    static int cut(final String text, final int start, final int end) {
        for (int k = end; k > end - CUT_SEARCH && k > start + 1; k--) {
            final char c = text.charAt(k);
            if (Character.isWhitespace(c) && c != '\n' && c != '\r' && !Character.isWhitespace(text.charAt(k - 1))) {
                return k;
            }
        }
        return Character.isHighSurrogate(text.charAt(end - 1)) && Character.isLowSurrogate(text.charAt(end)) ? end - 1 : end;
    }

    /**
     * About the length of {@code node}'s JSON text, without writing it: strings and names with their
     * quotes, scalars as written, one separator per element. Escapes are not counted. Iterative, so
     * any nesting depth is safe.
     */
    static long jsonChars(final JsonNode node) {
        long chars = 0;
        final ArrayDeque<JsonNode> todo = new ArrayDeque<>();
        todo.push(node);
        while (!todo.isEmpty()) {
            final JsonNode n = todo.pop();
            if (n.isObject()) {
                chars += 2;
                for (final Map.Entry<String, JsonNode> field : n.properties()) {
                    chars += field.getKey().length() + 4; // "name":  and a comma
                    todo.push(field.getValue());
                }
            } else if (n.isArray()) {
                chars += 2 + n.size();
                n.forEach(todo::push);
            } else if (n.isTextual()) {
                chars += n.textValue().length() + 2;
            } else if (n.isBinary() || n.isPojo()) {
                chars += 2; // not produced by parsing JSON; counted as an empty string
            } else {
                chars += n.asText().length();
            }
        }
        return chars;
    }

    /** The input counted so far, and whether any known text field was seen. */
    private static final class Tally {
        private long tokens;
        private boolean found;

        void text(final String text) {
            found = true;
            tokens(count(text));
        }

        void message() {
            found = true;
            tokens(MESSAGE_OVERHEAD);
        }

        void tokens(final long more) {
            tokens = Math.min(MAX_ESTIMATE, tokens + more);
        }
    }
}
