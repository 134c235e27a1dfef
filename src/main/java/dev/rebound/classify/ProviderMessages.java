package dev.rebound.classify;

import java.util.ArrayList;
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
 * lower-cased text, each run only when a phrase it cannot match without is present. A
 * case-insensitive alternation of thirty phrases cost tens of microseconds per message.
 */
final class ProviderMessages {

    /** A pattern and a phrase it cannot match without: the pattern runs only when the phrase is there. */
    private record Guarded(String phrase, Pattern pattern) {
    }

    /** One reading: any phrase or guarded pattern found means {@code category}. */
    private record Rule(ErrorCategory category, List<String> phrases, List<Guarded> patterns) {

        boolean matches(final String lower, final long[] pairs) {
            for (final String p : phrases) {
                if (mayContain(pairs, p) && lower.contains(p)) {
                    return true;
                }
            }
            for (final Guarded g : patterns) {
                if (mayContain(pairs, g.phrase()) && lower.contains(g.phrase()) && g.pattern().matcher(lower).find()) {
                    return true;
                }
            }
            return false;
        }
    }

    /** Buckets of the character pairs a message has: a phrase with a pair in none of them cannot be in the message. */
    private static final int PAIR_BUCKETS = 1024;

    private static int pair(final char a, final char b) {
        return (a * 31 + b) & (PAIR_BUCKETS - 1);
    }

    private static long[] pairs(final String lower) {
        final long[] bits = new long[PAIR_BUCKETS / 64];
        for (int i = 1; i < lower.length(); i++) {
            final int p = pair(lower.charAt(i - 1), lower.charAt(i));
            bits[p >>> 6] |= 1L << (p & 63);
        }
        return bits;
    }

    /** Whether the message has the phrase's first and its last character pair: a cheap "no" for most phrases. */
    private static boolean mayContain(final long[] pairs, final String phrase) {
        final int n = phrase.length();
        return has(pairs, pair(phrase.charAt(0), phrase.charAt(1))) && has(pairs, pair(phrase.charAt(n - 2), phrase.charAt(n - 1)));
    }

    private static boolean has(final long[] pairs, final int p) {
        return (pairs[p >>> 6] & (1L << (p & 63))) != 0;
    }

    private static final List<Rule> RULES = List.of(
            // one request bigger than the whole per-minute budget (OpenAI 429, Groq 413): waiting never helps
            rule(ErrorCategory.VALIDATION, List.of(), "request too large", "request too large for .* per min"),
            // spent until a person pays or the day or month turns
            rule(ErrorCategory.QUOTA_EXHAUSTED, List.of("per day", "perday", "per_day", "(rpd)", "(tpd)", "per month", "monthly",
                    "insufficient credits", "insufficient balance", "insufficient quota", "insufficient funds", "credit balance is too low",
                    "available credits", "more credits", "purchase credits", "any credits", "never purchased credits", "limit: 0,",
                    "spend limit", "spending limit", "api usage limits", "extra usage is required", "billing hard limit"),
                    "month", "/ ?month\\b", "limit: 0", "\\blimit: 0$"),
            rule(ErrorCategory.CONTEXT_TOO_LONG, List.of("maximum context length", "context window ", "prompt is too long",
                    "exceed context limit", "input is too long", "too large for model with", "maximum prompt length",
                    "reduce the length of the messages", "`inputs` must have less than", "expected maxlength"),
                    "input token count", "input token count .* exceeds the maximum",
                    "max_new_tokens", "`inputs` tokens \\+ `max_new_tokens` must be",
                    "total number of tokens", "total number of tokens .*cannot exceed",
                    "string too long", "\\.content'?: string too long"),
            rule(ErrorCategory.CONTENT_POLICY, List.of("content policy", "content management polic", "content filter", "safety system",
                    " flagged", "usage polic", "output blocked")),
            rule(ErrorCategory.AUTHENTICATION, List.of("api key not valid", "api key not found", "incorrect api key", "invalid api key",
                    "invalid x-api-key", "no auth credentials", "authentication fails", "invalid api token", "provide an api key",
                    "location is not supported", "country, region, or territory not supported")),
            rule(ErrorCategory.NOT_FOUND, List.of("model not exist", "invalid model", "no endpoints found",
                    "could not resolve the foundation model", "model identifier is invalid"),
                    "does not exist", "model .{1,120} does not exist", "does not exist", "deployment .{1,200} does not exist"),
            rule(ErrorCategory.TRANSIENT, List.of("is currently loading", "not ready to serve")),
            rule(ErrorCategory.SERVER_ERROR, List.of("no capacity available"), "overloaded", "\\boverloaded\\b"),
            rule(ErrorCategory.TIMEOUT, List.of("deadline expired", "deadline exceeded")));

    private ProviderMessages() {
    }

    static Optional<ErrorCategory> match(final String message) {
        final String lower = message.toLowerCase(Locale.ROOT);
        final long[] pairs = pairs(lower);
        for (final Rule r : RULES) {
            if (r.matches(lower, pairs)) {
                return Optional.of(r.category());
            }
        }
        return Optional.empty();
    }

    /** @param guardedPatterns pairs: a phrase every match contains, then the pattern */
    private static Rule rule(final ErrorCategory category, final List<String> phrases, final String... guardedPatterns) {
        final List<Guarded> patterns = new ArrayList<>();
        for (int i = 0; i < guardedPatterns.length; i += 2) {
            patterns.add(new Guarded(guardedPatterns[i], Pattern.compile(guardedPatterns[i + 1])));
        }
        return new Rule(category, phrases, List.copyOf(patterns));
    }
}
