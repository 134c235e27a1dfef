package dev.rebound.ratelimit;

import com.fasterxml.jackson.databind.JsonNode;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.OptionalLong;

/**
 * Reads a count of tokens from a JSON field the way both {@link TokenEstimate} and {@link Usage} need
 * it: a JSON number with a whole, non-negative value ({@code 12} or {@code 12.0}); anything else (a
 * string {@code "12"}, {@code 12.5}, {@code -1}, {@code NaN}, an object, a missing field) is unreadable
 * and gives empty rather than a guess or an exception. A value beyond {@code Long.MAX_VALUE} is
 * returned as {@code Long.MAX_VALUE}; each caller decides whether an absurd count is capped or ignored.
 */
final class JsonCount {

    private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);

    private JsonCount() {
    }

    /** The whole, non-negative number in {@code node}, saturated at {@code Long.MAX_VALUE}; empty when there is none. */
    static OptionalLong of(final JsonNode node) {
        if (node == null || !node.isNumber()) {
            return OptionalLong.empty();
        }
        if (node.isIntegralNumber()) {
            return nonNegative(node.bigIntegerValue());
        }
        if ((node.isDouble() || node.isFloat()) && !Double.isFinite(node.doubleValue())) {
            return OptionalLong.empty(); // BigDecimal has no NaN or infinity
        }
        final BigDecimal value = node.decimalValue();
        if (value.signum() < 0) {
            return OptionalLong.empty();
        }
        if (value.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) >= 0) {
            return OptionalLong.of(Long.MAX_VALUE);
        }
        // not remainder(ONE): 1e-1000000000 would be rescaled to a billion digits; the parser bounds
        // a number's digits, so stripping trailing zeros stays cheap
        return value.stripTrailingZeros().scale() <= 0 ? OptionalLong.of(value.longValue()) : OptionalLong.empty();
    }

    private static OptionalLong nonNegative(final BigInteger value) {
        if (value.signum() < 0) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(value.compareTo(LONG_MAX) > 0 ? Long.MAX_VALUE : value.longValue());
    }
}
