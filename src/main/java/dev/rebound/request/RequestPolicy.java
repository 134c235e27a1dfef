package dev.rebound.request;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rebound.config.FallbackStep;
import dev.rebound.config.TargetConfig;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.IntStream;

/**
 * A request's {@code policy} (DESIGN §2) read against its target's configuration: what the request
 * narrows, field by field. An absent field narrows nothing.
 *
 * <p>The request may only narrow: {@link #boundsProblem} is the door's strict check (anything wider
 * than the target's, or naming a fallback step that does not exist, is {@code INVALID_REQUEST}).
 * {@link #of} reads the same policy later, under the configuration that then handles the request,
 * and is total: if the configuration changed since the door (a restart with fewer attempts, a
 * step removed), what no longer fits is narrowed again rather than refused, so a policy can never
 * widen a configuration, old or new.
 *
 * @param maxAttempts   the most attempts of the target's own stage, if the request gave it
 * @param fallbackSteps the fallback steps (1-based) the request allows, if it restricted the chain;
 *                      an empty set for {@code "fallback": false}
 * @param timeout       the per-attempt timeout cap, if the request gave it
 * @param tokens        the tokens the request declared, if it did
 */
public record RequestPolicy(OptionalInt maxAttempts, Optional<SortedSet<Integer>> fallbackSteps, Optional<Duration> timeout,
                            OptionalLong tokens) {

    /** What a policy that narrows nothing reads as. */
    public static final RequestPolicy NONE = new RequestPolicy(OptionalInt.empty(), Optional.empty(), Optional.empty(), OptionalLong.empty());
    private static final String NARROW_ONLY = "; a policy may only narrow the target's";

    public RequestPolicy {
        fallbackSteps = fallbackSteps.map(s -> Collections.unmodifiableSortedSet(new TreeSet<>(s)));
    }

    /** Whether fallback step {@code step} (1-based) may run for this request. */
    public boolean allowsStep(final int step) {
        return fallbackSteps.map(s -> s.contains(step)).orElse(true);
    }

    /** The per-attempt timeout of a call whose target allows {@code configured}: the shorter of the two. */
    public Duration capTimeout(final Duration configured) {
        return timeout.filter(t -> t.compareTo(configured) < 0).orElse(configured);
    }

    /** The policy {@code target} runs this request under (see {@link EffectivePolicy} for what "effective" means). */
    public EffectivePolicy effective(final TargetConfig target) {
        final List<String> allowed = IntStream.rangeClosed(1, target.fallback().size()).filter(this::allowsStep)
                .mapToObj(i -> target.fallback().get(i - 1).servedBy()).toList();
        return new EffectivePolicy(Math.min(maxAttempts.orElse(Integer.MAX_VALUE), target.retry().maxAttempts()), allowed,
                capTimeout(target.timeout()).toMillis(), tokens.isPresent() ? tokens.getAsLong() : null);
    }

    /**
     * The request's policy (the {@code policy} node of a request the door accepted; missing or null
     * for none) under {@code target}'s configuration now. Total, and never wider than the target's.
     */
    public static RequestPolicy of(final JsonNode policy, final TargetConfig target) {
        if (policy == null || !policy.isObject()) {
            return NONE;
        }
        final JsonNode max = policy.get("maxAttempts");
        final JsonNode fallback = policy.get("fallback");
        final JsonNode timeoutMs = policy.get("timeoutMs");
        final JsonNode tokens = policy.get("tokens");
        Optional<SortedSet<Integer>> steps = Optional.empty();
        if (fallback != null && fallback.isBoolean() && !fallback.asBoolean()) {
            steps = Optional.of(new TreeSet<>());
        } else if (fallback != null && fallback.isArray()) {
            final SortedSet<Integer> chosen = new TreeSet<>();
            fallback.forEach(item -> index(item, target.fallback()).ifPresent(chosen::add)); // a step gone since the door: not allowed
            steps = Optional.of(chosen);
        }
        return new RequestPolicy(
                isWhole(max) ? OptionalInt.of((int) Math.min(Math.max(1, max.asLong()), target.retry().maxAttempts())) : OptionalInt.empty(),
                steps,
                isWhole(timeoutMs) ? Optional.of(Duration.ofMillis(Math.max(1, timeoutMs.asLong()))) : Optional.empty(),
                isWhole(tokens) ? OptionalLong.of(tokens.asLong()) : OptionalLong.empty());
    }

    /**
     * What is wrong with the policy's shape, whatever the target, or {@code null}: not an object,
     * an unknown field, a wrong type, a value below 1. A null field counts as absent.
     */
    static String shapeProblem(final JsonNode policy, final Set<String> fields, final long maxTokens) {
        if (policy == null || policy.isNull()) {
            return null;
        }
        if (!policy.isObject()) {
            return "'policy' must be a JSON object such as {\"maxAttempts\": 2, \"tokens\": 1200}, was " + RequestParser.kind(policy);
        }
        final List<String> unknown = new ArrayList<>();
        policy.fieldNames().forEachRemaining(n -> {
            if (!fields.contains(n)) {
                unknown.add("'policy." + n + "'");
            }
        });
        if (!unknown.isEmpty()) {
            return String.join(", ", unknown) + (unknown.size() == 1 ? " is" : " are") + " not supported; a policy has only "
                    + new TreeSet<>(fields);
        }
        final String max = positive(policy, "maxAttempts", Integer.MAX_VALUE, "the most attempts of the target, at least 1");
        if (max != null) {
            return max;
        }
        final String timeout = positive(policy, "timeoutMs", Long.MAX_VALUE, "the per-attempt timeout in milliseconds, at least 1");
        if (timeout != null) {
            return timeout;
        }
        final JsonNode tokens = policy.get("tokens");
        if (tokens != null && !tokens.isNull() && (!isWhole(tokens) || tokens.asLong() < 1 || tokens.asLong() > maxTokens)) {
            return "'policy.tokens' must be a whole number between 1 and " + maxTokens + " (the tokens the call will use), was " + tokens;
        }
        final JsonNode fallback = policy.get("fallback");
        if (fallback == null || fallback.isNull() || fallback.isBoolean()) {
            return null;
        }
        if (!fallback.isArray() || fallback.isEmpty()) {
            return "'policy.fallback' must be false (no fallback), true (the configured chain) or a non-empty list of its steps, "
                    + "each by 1-based index or by name (e.g. [1, \"static\"]), was " + (fallback.isArray() ? "[]" : RequestParser.kind(fallback));
        }
        for (final JsonNode item : fallback) {
            if (!(item.isTextual() || isWhole(item))) {
                return "'policy.fallback' lists steps by 1-based index or by name (target, \"cache\" or \"static\"), not "
                        + RequestParser.kind(item) + ": " + item;
            }
        }
        return null;
    }

    /** Where the (well-shaped) policy would widen {@code target}'s, or names a step it does not have; or {@code null}. */
    static String boundsProblem(final JsonNode policy, final TargetConfig target) {
        if (policy == null || !policy.isObject()) {
            return null;
        }
        final String name = "target '" + target.name() + "'";
        final JsonNode max = policy.get("maxAttempts");
        if (isWhole(max) && max.asLong() > target.retry().maxAttempts()) {
            return "'policy.maxAttempts' " + max + " is more than " + name + " allows (retry.maxAttempts " + target.retry().maxAttempts() + ")"
                    + NARROW_ONLY;
        }
        final JsonNode timeoutMs = policy.get("timeoutMs");
        if (isWhole(timeoutMs) && timeoutMs.asLong() > target.timeout().toMillis()) {
            return "'policy.timeoutMs' " + timeoutMs + " is more than " + name + " allows (timeout " + target.timeout().toMillis() + " ms)"
                    + NARROW_ONLY;
        }
        final JsonNode fallback = policy.get("fallback");
        if (fallback != null && fallback.isArray()) {
            for (final JsonNode item : fallback) {
                final String problem = stepProblem(item, target);
                if (problem != null) {
                    return problem;
                }
            }
        }
        return null;
    }

    /** Why {@code item} names no single step of {@code target}'s chain, or {@code null} when it does. */
    private static String stepProblem(final JsonNode item, final TargetConfig target) {
        if (index(item, target.fallback()).isPresent()) {
            return null;
        }
        final String chain = chain(target.fallback());
        final String value = item.isTextual() ? "\"" + item.asText() + "\"" : item.toString();
        if (item.isTextual() && matching(item.asText(), target.fallback()).size() > 1) {
            return "'policy.fallback' " + value + " names more than one step of target '" + target.name() + "' (" + chain
                    + "); give it by index";
        }
        return "'policy.fallback' " + value + " is no fallback step of target '" + target.name() + "' (" + chain + ")" + NARROW_ONLY;
    }

    /** The 1-based step {@code item} names: an index within the chain, or the one step a name matches. */
    private static OptionalInt index(final JsonNode item, final List<FallbackStep> chain) {
        if (isWhole(item)) {
            final long i = item.asLong();
            return i >= 1 && i <= chain.size() ? OptionalInt.of((int) i) : OptionalInt.empty();
        }
        if (item.isTextual()) {
            final List<Integer> found = matching(item.asText(), chain);
            return found.size() == 1 ? OptionalInt.of(found.get(0)) : OptionalInt.empty();
        }
        return OptionalInt.empty();
    }

    private static List<Integer> matching(final String servedBy, final List<FallbackStep> chain) {
        return IntStream.rangeClosed(1, chain.size()).filter(i -> chain.get(i - 1).servedBy().equals(servedBy)).boxed().toList();
    }

    /** The chain as a person reads it: "1 llm-backup, 2 static", or that there is none. */
    private static String chain(final List<FallbackStep> steps) {
        if (steps.isEmpty()) {
            return "it has no fallback steps";
        }
        final StringBuilder s = new StringBuilder("its steps: ");
        for (int i = 0; i < steps.size(); i++) {
            s.append(i == 0 ? "" : ", ").append(i + 1).append(' ').append(steps.get(i).servedBy());
        }
        return s.toString();
    }

    private static String positive(final JsonNode policy, final String field, final long max, final String what) {
        final JsonNode node = policy.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!isWhole(node) || node.asLong() < 1 || node.asLong() > max) {
            return "'policy." + field + "' must be a whole number (" + what + "), was " + node;
        }
        return null;
    }

    /** A whole number that fits a long; 1.0 is not one (as everywhere at the door). */
    private static boolean isWhole(final JsonNode node) {
        return node != null && node.isIntegralNumber() && node.canConvertToLong();
    }
}
