package dev.rebound.classify;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What providers say in words when their codes say too little, tried in order, first match wins.
 * Each pattern is as narrow as the phrases seen in real responses (the corpus under
 * {@code src/test/resources/provider-errors}), because a broad one flips decisions: "too many
 * tokens" is a Bedrock throttle as often as a context overflow, and "exceeded your current quota"
 * is a per-minute limit at Gemini.
 *
 * <p>The order encodes which reading wins: a request larger than a per-minute token budget can
 * never fit, so it is a request fault before it is a rate limit; a per-day or spending limit is a
 * quota before it is a throttle.
 */
final class ProviderMessages {

    private static final List<MessagePattern> PATTERNS = List.of(
            // one request bigger than the whole per-minute budget (OpenAI 429, Groq 413): waiting never helps
            pattern("request too large for .* per min", ErrorCategory.VALIDATION),
            // spent until a person pays or the day or month turns
            pattern("per ?day|per_day|\\(RPD\\)|\\(TPD\\)|/ ?month\\b|per ?month|monthly|insufficient (credits|balance|quota|funds)"
                    + "|credit balance is too low|(used all|more|purchase|any) (available )?credits|never purchased credits|\\blimit: 0\\b"
                    + "|spend(ing)? limit|api usage limits|extra usage is required|billing hard limit",
                    ErrorCategory.QUOTA_EXHAUSTED),
            pattern("maximum context length|context window\\b|prompt is too long|input length and .max_tokens. exceed context limit"
                    + "|input token count .* exceeds the maximum|input is too long|too large for model with|maximum prompt length"
                    + "|reduce the length of the messages|.inputs. tokens \\+ .max_new_tokens. must be|.inputs. must have less than"
                    + "|total number of tokens .*cannot exceed|expected maxLength|\\.content'?: string too long",
                    ErrorCategory.CONTEXT_TOO_LONG),
            pattern("content (management )?polic|content filter|safety system|\\bflagged\\b|usage polic|output blocked",
                    ErrorCategory.CONTENT_POLICY),
            pattern("api key not (valid|found)|incorrect api key|invalid api key|invalid x-api-key|no auth credentials"
                    + "|authentication fails|invalid api token|provide an api key|location is not supported"
                    + "|country, region, or territory not supported", ErrorCategory.AUTHENTICATION),
            pattern("model not exist|model .{1,120} does not exist|invalid model|no endpoints found|could not resolve the foundation model"
                    + "|model identifier is invalid|deployment .* does not exist", ErrorCategory.NOT_FOUND),
            pattern("is currently loading|not ready to serve", ErrorCategory.TRANSIENT),
            pattern("\\boverloaded\\b|no capacity available", ErrorCategory.SERVER_ERROR),
            pattern("deadline (expired|exceeded)", ErrorCategory.TIMEOUT));

    private ProviderMessages() {
    }

    static Optional<ErrorCategory> match(final String message) {
        for (final MessagePattern p : PATTERNS) {
            if (p.matches(message)) {
                return Optional.of(p.category());
            }
        }
        return Optional.empty();
    }

    private static MessagePattern pattern(final String regex, final ErrorCategory category) {
        return new MessagePattern(Pattern.compile("(?i)" + regex), category);
    }
}
