package dev.rebound.classify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rebound.time.Durations;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a provider's "come back later" hint from a failed response. Sources, most precise first:
 * <ol>
 *   <li>{@code retry-after-ms} (OpenAI, Azure): milliseconds;</li>
 *   <li>{@code Retry-After}: delta-seconds or an HTTP-date (RFC 9110 §10.2.3);</li>
 *   <li>a Gemini {@code RetryInfo.retryDelay} in the error body ({@code "30s"});</li>
 *   <li>{@code x-ratelimit-reset-requests} / {@code x-ratelimit-reset-tokens} ({@code 1s},
 *       {@code 6m0s}); only for 429s, and the longer of the two, since either limit may be the
 *       one that is spent;</li>
 *   <li>the error message: "retry after 30 seconds", "try again in 1.5s".</li>
 * </ol>
 * A hint in the past or negative becomes zero; an unparseable one is ignored rather than guessed;
 * one beyond {@link #MAX_HINT} is cut to it (no request lives that long, and time arithmetic on an
 * absurd hint would overflow).
 */
public final class RetryHints {

    private static final Pattern MESSAGE_HINT = Pattern.compile(
            "(?:retry|try again)\\s+(?:after|in)\\s+(\\d+(?:\\.\\d+)?)\\s*"
                    + "(ms|milliseconds?|s|secs?|seconds?|m|mins?|minutes?)?(?![a-z])",
            Pattern.CASE_INSENSITIVE);

    /** The longest hint honoured: a request's deadline is at most 7 days away. */
    public static final Duration MAX_HINT = Duration.ofDays(7);

    private RetryHints() {
    }

    /**
     * @param status  the HTTP status of the failed response
     * @param headers response headers, any case
     * @param error   the parsed JSON body, or {@code null} when the body was not JSON
     * @param message the error message text to scan for a spelled-out hint
     * @param now     the time the response arrived, for HTTP-dates
     */
    public static Optional<Duration> from(final int status, final Map<String, List<String>> headers,
                                          final JsonNode error, final String message, final Instant now) {
        return find(status, headers, error, message, now).map(d -> d.compareTo(MAX_HINT) > 0 ? MAX_HINT : d);
    }

    private static Optional<Duration> find(final int status, final Map<String, List<String>> headers,
                                           final JsonNode error, final String message, final Instant now) {
        final Optional<Duration> ms = header(headers, "retry-after-ms").flatMap(RetryHints::retryAfterMillis);
        if (ms.isPresent()) {
            return ms;
        }
        final Optional<Duration> retryAfter = header(headers, "retry-after").flatMap(v -> retryAfter(v, now));
        if (retryAfter.isPresent()) {
            return retryAfter;
        }
        final Optional<Duration> gemini = geminiRetryDelay(error);
        if (gemini.isPresent()) {
            return gemini;
        }
        if (status == 429) {
            final Optional<Duration> requests = header(headers, "x-ratelimit-reset-requests").flatMap(Durations::parse);
            final Optional<Duration> tokens = header(headers, "x-ratelimit-reset-tokens").flatMap(Durations::parse);
            if (requests.isPresent() || tokens.isPresent()) {
                return Optional.of(max(requests.orElse(Duration.ZERO), tokens.orElse(Duration.ZERO)));
            }
        }
        return spelledOut(message);
    }

    /** Finds a spelled-out hint such as "retry after 30 seconds" or "try again in 1.5s". */
    public static Optional<Duration> fromMessage(final String message) {
        return spelledOut(message).map(d -> d.compareTo(MAX_HINT) > 0 ? MAX_HINT : d);
    }

    private static Optional<Duration> spelledOut(final String message) {
        if (message == null || message.isEmpty()) {
            return Optional.empty();
        }
        final Matcher m = MESSAGE_HINT.matcher(message);
        if (!m.find()) {
            return Optional.empty();
        }
        final double amount = Double.parseDouble(m.group(1));
        final String unit = m.group(2) == null ? "s" : m.group(2).toLowerCase(Locale.ROOT);
        final double millis;
        if (unit.startsWith("ms") || unit.startsWith("milli")) {
            millis = amount;
        } else if (unit.startsWith("m")) {
            millis = amount * 60_000;
        } else {
            millis = amount * 1000;
        }
        return Optional.of(Duration.ofMillis(Math.round(millis)));
    }

    /**
     * Reads a {@code Retry-After} value: delta-seconds (fractions allowed) or an HTTP-date, the wait
     * from {@code now}; a negative wait or a date in the past is zero. Not capped at {@link #MAX_HINT}.
     * Public for the rate limiter's reading of the same header ({@code ratelimit.ProviderWord}).
     */
    public static Optional<Duration> retryAfter(final String value, final Instant now) {
        final String v = value.trim();
        try {
            final double seconds = Double.parseDouble(v);
            return Optional.of(nonNegative(Duration.ofMillis(Math.round(seconds * 1000))));
        } catch (final NumberFormatException notSeconds) {
            try {
                final Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                return Optional.of(nonNegative(Duration.between(now, at)));
            } catch (final DateTimeParseException notADate) {
                return Optional.empty();
            }
        }
    }

    /**
     * Reads a {@code retry-after-ms} value (OpenAI, Azure): milliseconds, fractions allowed; a negative
     * wait is zero. Not capped at {@link #MAX_HINT}. Public for the same reason as {@link #retryAfter}.
     */
    public static Optional<Duration> retryAfterMillis(final String value) {
        try {
            return Optional.of(nonNegative(Duration.ofMillis(Math.round(Double.parseDouble(value.trim())))));
        } catch (final NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static Optional<Duration> geminiRetryDelay(final JsonNode body) {
        if (body == null) {
            return Optional.empty();
        }
        final JsonNode details = body.path("error").path("details");
        if (!details.isArray()) {
            return Optional.empty();
        }
        for (final JsonNode detail : details) {
            final JsonNode delay = detail.get("retryDelay");
            if (delay != null && delay.isTextual()) {
                final Optional<Duration> d = Durations.parse(delay.asText());
                if (d.isPresent()) {
                    return d;
                }
            }
        }
        return Optional.empty();
    }

    static Optional<String> header(final Map<String, List<String>> headers, final String name) {
        for (final Map.Entry<String, List<String>> e : headers.entrySet()) {
            if (e.getKey() != null && e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
                return Optional.ofNullable(e.getValue().get(0));
            }
        }
        return Optional.empty();
    }

    private static Duration nonNegative(final Duration d) {
        return d.isNegative() ? Duration.ZERO : d;
    }

    private static Duration max(final Duration a, final Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
