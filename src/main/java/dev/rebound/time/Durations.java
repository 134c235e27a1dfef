package dev.rebound.time;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the duration spellings found in configuration files and in providers' rate-limit
 * headers: compound Go-style values ({@code 6m0s}, {@code 1h2m3.5s}, {@code 250ms}),
 * ISO-8601 ({@code PT30S}) and a bare number of seconds is deliberately <em>not</em> accepted
 * here, because in configuration a unit-less number is ambiguous.
 */
public final class Durations {

    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|us|µs|ns|h|m|s|d)");
    private static final Pattern WHOLE = Pattern.compile("((\\d+(?:\\.\\d+)?)(ms|us|µs|ns|h|m|s|d))+");

    private Durations() {
    }

    /** Returns the duration, or empty when {@code text} is not a duration in a supported spelling. */
    public static Optional<Duration> parse(final String text) {
        if (text == null) {
            return Optional.empty();
        }
        final String trimmed = text.trim();
        if (trimmed.isEmpty()) {
            return Optional.empty();
        }
        if (trimmed.startsWith("P") || trimmed.startsWith("p")) {
            try {
                return Optional.of(Duration.parse(trimmed));
            } catch (final DateTimeParseException e) {
                return Optional.empty();
            }
        }
        if (!WHOLE.matcher(trimmed).matches()) {
            return Optional.empty();
        }
        BigDecimal nanos = BigDecimal.ZERO;
        final Matcher m = PART.matcher(trimmed);
        while (m.find()) {
            nanos = nanos.add(new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(nanosPer(m.group(2)))));
        }
        if (nanos.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            return Optional.empty();
        }
        return Optional.of(Duration.ofNanos(nanos.longValue()));
    }

    /** Formats a duration compactly for messages and tier names: {@code 1500ms}, {@code 30s}, {@code 5m}. */
    public static String format(final Duration d) {
        final long ms = d.toMillis();
        if (ms % 3_600_000 == 0 && ms > 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0 && ms > 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }

    private static long nanosPer(final String unit) {
        return switch (unit) {
            case "ns" -> 1L;
            case "us", "µs" -> 1_000L;
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m" -> 60_000_000_000L;
            case "h" -> 3_600_000_000_000L;
            case "d" -> 86_400_000_000_000L;
            default -> throw new IllegalArgumentException("unit " + unit);
        };
    }
}
