package dev.rebound.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rebound.classify.ErrorCategory;

import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * One step of a target's fallback chain (DESIGN §5 {@code fallback}), tried only when the
 * primary's failure matches its {@code on} list: an error category ({@code SERVER_ERROR},
 * {@code CIRCUIT_OPEN}, ...) or the reason the primary gave up ({@code RETRIES_EXHAUSTED},
 * {@code RETRY_BUDGET_EXHAUSTED}, {@code DEADLINE_EXCEEDED}, {@code NON_RETRYABLE}, {@code DISABLED}).
 */
public sealed interface FallbackStep {

    /** The give-up reasons an {@code on} list may name besides the error categories. */
    Set<String> REASONS = Arrays.stream(FallbackReason.values()).filter(FallbackReason::onList).map(Enum::name)
            .collect(Collectors.toUnmodifiableSet());

    /**
     * The default {@code on} list: every category but the two a fallback cannot fix, a bad request
     * ({@code VALIDATION}) and bad credentials ({@code AUTHENTICATION}, which needs a person).
     */
    Set<String> DEFAULT_ON = Arrays.stream(ErrorCategory.values())
            .filter(c -> c != ErrorCategory.VALIDATION && c != ErrorCategory.AUTHENTICATION)
            .map(Enum::name).collect(Collectors.toUnmodifiableSet());

    /** Every name an {@code on} list may hold. */
    Set<String> NAMES = Stream.concat(Arrays.stream(ErrorCategory.values()).map(Enum::name), REASONS.stream())
            .collect(Collectors.toUnmodifiableSet());

    /** The categories and reasons this step answers. */
    Set<String> on();

    /** What a result served by this step names as {@code servedBy}. */
    String servedBy();

    /** Call another configured target, with its own circuit, retry policy, budget and timeout. */
    record ToTarget(Set<String> on, String target) implements FallbackStep {
        public ToTarget {
            on = Set.copyOf(on);
        }

        @Override
        public String servedBy() {
            return target;
        }
    }

    /**
     * Answer with the last good response of the request's target for its cache key.
     *
     * @param ttl        how long a stored response may be served (default 1h)
     * @param maxEntries responses kept per target and per partition; the oldest go first (default 10000)
     */
    record FromCache(Set<String> on, Duration ttl, int maxEntries) implements FallbackStep {
        public static final Duration DEFAULT_TTL = Duration.ofHours(1);
        public static final int DEFAULT_MAX_ENTRIES = 10_000;

        public FromCache {
            on = Set.copyOf(on);
            if (ttl.isNegative() || ttl.isZero()) {
                throw new ConfigException("cache.ttl", "must be positive, was " + ttl);
            }
            if (maxEntries < 1 || maxEntries > 10_000_000) {
                throw new ConfigException("cache.maxEntries", "must be between 1 and 10000000, was " + maxEntries);
            }
        }

        @Override
        public String servedBy() {
            return "cache";
        }
    }

    /** Answer with a configured JSON value. */
    record Static(Set<String> on, JsonNode value) implements FallbackStep {
        public Static {
            on = Set.copyOf(on);
        }

        @Override
        public String servedBy() {
            return "static";
        }
    }
}
