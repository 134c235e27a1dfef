package dev.rebound.config;

import dev.rebound.classify.MessagePattern;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The whole validated configuration. Built by {@link ConfigLoader}; every cross-field rule
 * (parents exist, no cycles) is checked here so that a config that constructs is a config that runs.
 *
 * @param kafka       Kafka Streams and client properties, passed through as given
 * @param targets     the allow-list, by name
 * @param limits      size limits
 * @param topicPrefix prepended to every topic name (default empty)
 * @param dedupWindow how long a request id is remembered with its outcome (default 24h)
 * @param patterns    operator-registered message patterns for classification
 * @param retries     delay tiers, the system-wide retry cap and the error window
 * @param ops         the HTTP ops endpoint
 * @param startup     how long commands wait for the cluster at start
 * @param results     which reply topics a request may name ({@code replyTo})
 */
public record ReboundConfig(Map<String, String> kafka, Map<String, TargetConfig> targets, Limits limits,
                            String topicPrefix, Duration dedupWindow, List<MessagePattern> patterns,
                            RetrySettings retries, OpsSettings ops, StartupSettings startup,
                            ResultSettings results) {

    public static final Duration DEFAULT_DEDUP_WINDOW = Duration.ofHours(24);

    public ReboundConfig {
        kafka = Map.copyOf(kafka);
        targets = Map.copyOf(targets);
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(topicPrefix, "topicPrefix");
        patterns = List.copyOf(patterns);
        Objects.requireNonNull(retries, "retries");
        Objects.requireNonNull(ops, "ops");
        Objects.requireNonNull(startup, "startup");
        Objects.requireNonNull(results, "results");
        if (!topicPrefix.matches("[A-Za-z0-9._-]*")) {
            throw new ConfigException("topics.prefix", "may only contain letters, digits, '.', '_' and '-', was '" + topicPrefix + "'");
        }
        if (dedupWindow.isNegative() || dedupWindow.isZero()) {
            throw new ConfigException("dedup.window", "must be positive, was " + dedupWindow);
        }
        if (targets.isEmpty()) {
            throw new ConfigException("targets", "at least one target is required");
        }
        for (final TargetConfig t : targets.values()) {
            checkParents(t, targets);
            checkFallbackTargets(t, targets);
        }
        limits.checkFits(maxRequestSize(kafka));
    }

    public Optional<TargetConfig> target(final String name) {
        return Optional.ofNullable(targets.get(name));
    }

    /** What a request to {@code t} is governed by: its pool when {@code t} is one endpoint of a pool, else {@code t} itself. */
    public TargetConfig owner(final TargetConfig t) {
        return t.member().flatMap(m -> target(m.pool())).orElse(t);
    }

    /**
     * Every configured secret (DESIGN §4): each target's {@link TargetConfig#secrets()} and the
     * Kafka password, JAAS and secret properties. Nothing else: other header values are
     * configuration, and masking them would rewrite ids and answers that happen to contain them.
     */
    public Set<String> secrets() {
        final Set<String> secrets = new HashSet<>();
        targets.values().forEach(t -> secrets.addAll(t.secrets()));
        kafka.forEach((k, v) -> {
            final String key = k.toLowerCase(Locale.ROOT);
            if (key.contains("password") || key.contains("jaas") || key.contains("secret")) {
                secrets.add(v);
            }
        });
        return secrets;
    }

    /** The producer's {@code max.request.size} as configured (any prefix form), or Kafka's default. */
    public int maxRequestSize() {
        return maxRequestSize(kafka);
    }

    private static int maxRequestSize(final Map<String, String> kafka) {
        for (final String key : List.of("producer.max.request.size", "max.request.size")) {
            final String v = kafka.get(key);
            if (v != null) {
                try {
                    return Integer.parseInt(v.trim());
                } catch (final NumberFormatException e) {
                    throw new ConfigException("kafka." + key, "must be a whole number of bytes, was '" + v + "'");
                }
            }
        }
        return Limits.KAFKA_DEFAULT_MAX_REQUEST_SIZE;
    }

    private static void checkFallbackTargets(final TargetConfig t, final Map<String, TargetConfig> all) {
        for (int i = 0; i < t.fallback().size(); i++) {
            if (t.fallback().get(i) instanceof FallbackStep.ToTarget step) {
                final String at = "targets." + t.name() + ".fallback[" + i + "].target";
                final TargetConfig other = all.get(step.target());
                if (other == null) {
                    throw new ConfigException(at, "names '" + step.target() + "', which is not a configured target");
                }
                if (!other.requestable()) {
                    throw new ConfigException(at, "names '" + step.target() + "', " + (other.member().isPresent()
                            ? "one endpoint of a pool; name the pool" : "a group") + "; a fallback must be a callable target or a pool");
                }
                if (other.name().equals(t.name())) {
                    throw new ConfigException(at, "names the target itself; retries are configured under 'retry'");
                }
            }
        }
    }

    private static void checkParents(final TargetConfig t, final Map<String, TargetConfig> all) {
        final Set<String> seen = new HashSet<>();
        TargetConfig at = t;
        while (at.parent().isPresent()) {
            if (!seen.add(at.name())) {
                throw new ConfigException("targets." + t.name() + ".parent", "forms a cycle through " + seen);
            }
            final String p = at.parent().get();
            final TargetConfig parent = all.get(p);
            if (parent == null) {
                throw new ConfigException("targets." + at.name() + ".parent", "names '" + p + "', which is not a configured target");
            }
            at = parent;
        }
    }
}
