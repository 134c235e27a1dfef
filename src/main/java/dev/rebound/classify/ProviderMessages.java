package dev.rebound.classify;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What providers say in words when their codes say too little, tried in order, first match wins.
 * Each phrase is as narrow as the wording seen in real responses (the corpus under
 * {@code src/test/resources/provider-errors}), because a broad one flips decisions: "too many
 * tokens" is a Bedrock throttle as often as a context overflow, and "exceeded your current quota"
 * is a per-minute limit at Gemini.
 *
 * <p>The order encodes which reading wins: a request larger than a per-minute token budget can
 * never fit, so it is a request fault before it is a rate limit; a per-day or spending limit is a
 * quota before it is a throttle.
 *
 * <p>Phrases are plain substrings of the lower-cased message where they can be (an
 * {@code indexOf} each); the few that need a pattern are regular expressions over the same
 * lower-cased text. A case-insensitive alternation of thirty phrases cost tens of microseconds per
 * message; this costs a few.
 */
final class ProviderMessages {

    /** One reading: any phrase or pattern found means {@code category}. */
    private record Rule(ErrorCategory category, List<String> phrases, List<Pattern> patterns) {

        boolean matches(final String lower) {
            for (final String p : phrases) {
                if (lower.contains(p)) {
                    return true;
                }
            }
            for (final Pattern p : patterns) {
                if (p.matcher(lower).find()) {
                    return true;
                }
            }
            return false;
        }
    }

    private static final List<Rule> RULES = List.of(
            // one request bigger than the whole per-minute budget (OpenAI 429, Groq 413): waiting never helps
            rule(ErrorCategory.VALIDATION, List.of(), "request too large for .* per min"),
            // spent until a person pays or the day or month turns
            rule(ErrorCategory.QUOTA_EXHAUSTED, List.of("per day", "perday", "per_day", "(rpd)", "(tpd)", "per month", "monthly",
                    "insufficient credits", "insufficient balance", "insufficient quota", "insufficient funds", "credit balance is too low",
                    "available credits", "more credits", "purchase credits", "any credits", "never purchased credits", "limit: 0,",
                    "spend limit", "spending limit", "api usage limits", "extra usage is required", "billing hard limit"),
                    "/ ?month\\b", "\\blimit: 0$"),
            rule(ErrorCategory.CONTEXT_TOO_LONG, List.of("maximum context length", "context window ", "prompt is too long",
                    "exceed context limit", "input is too long", "too large for model with", "maximum prompt length",
                    "reduce the length of the messages", "`inputs` must have less than", "expected maxlength"),
                    "input token count .* exceeds the maximum", "`inputs` tokens \\+ `max_new_tokens` must be",
                    "total number of tokens .*cannot exceed", "\\.content'?: string too long"),
            rule(ErrorCategory.CONTENT_POLICY, List.of("content policy", "content management polic", "content filter", "safety system",
                    " flagged", "usage polic", "output blocked")),
            rule(ErrorCategory.AUTHENTICATION, List.of("api key not valid", "api key not found", "incorrect api key", "invalid api key",
                    "invalid x-api-key", "no auth credentials", "authentication fails", "invalid api token", "provide an api key",
                    "location is not supported", "country, region, or territory not supported")),
            rule(ErrorCategory.NOT_FOUND, List.of("model not exist", "invalid model", "no endpoints found",
                    "could not resolve the foundation model", "model identifier is invalid"),
                    "model .{1,120} does not exist", "deployment .{1,200} does not exist"),
            rule(ErrorCategory.TRANSIENT, List.of("is currently loading", "not ready to serve")),
            rule(ErrorCategory.SERVER_ERROR, List.of("no capacity available"), "\\boverloaded\\b"),
            rule(ErrorCategory.TIMEOUT, List.of("deadline expired", "deadline exceeded")));

    private ProviderMessages() {
    }

    static Optional<ErrorCategory> match(final String message) {
        final String lower = message.toLowerCase(Locale.ROOT);
        for (final Rule r : RULES) {
            if (r.matches(lower)) {
                return Optional.of(r.category());
            }
        }
        return Optional.empty();
    }

    private static Rule rule(final ErrorCategory category, final List<String> phrases, final String... patterns) {
        return new Rule(category, phrases, java.util.Arrays.stream(patterns).map(Pattern::compile).toList());
    }
}
