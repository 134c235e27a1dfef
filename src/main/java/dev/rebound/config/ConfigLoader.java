package dev.rebound.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.rebound.classify.ErrorCategory;
import dev.rebound.classify.MessagePattern;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the YAML configuration (DESIGN §5). {@code ${VAR}} and {@code ${VAR:-default}} are
 * substituted inside string values after parsing, so a variable's value can never change the
 * document's structure. Unknown keys are errors: a misspelt {@code maxInFlight} must not silently
 * fall back to its default.
 */
public final class ConfigLoader {

    private static final Pattern ENV = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");

    private final Function<String, String> env;

    /** @param env looks up environment variables ({@code System::getenv} in production) */
    public ConfigLoader(final Function<String, String> env) {
        this.env = env;
    }

    public ReboundConfig load(final Path file) {
        final String text;
        try {
            text = Files.readString(file);
        } catch (final IOException e) {
            throw new ConfigException("config", "cannot read " + file + ": " + e.getMessage());
        }
        return parse(text);
    }

    public ReboundConfig parse(final String yaml) {
        final JsonNode root;
        try {
            root = new YAMLMapper().readTree(yaml);
        } catch (final JsonProcessingException e) {
            throw new ConfigException("config", "is not valid YAML: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new ConfigException("config", "must be a YAML mapping with 'kafka' and 'targets'");
        }
        final Map<String, Set<String>> fromEnv = new HashMap<>();
        final Section top = new Section("", substitute(root, "", fromEnv));
        final Map<String, String> kafka = top.map("kafka");
        final Limits limits = top.optionalSection("limits").map(ConfigLoader::limits).orElse(Limits.DEFAULT);
        final String prefix = top.optionalSection("topics").map(s -> s.finish(s.stringOr("prefix", ""))).orElse("");
        final Duration dedup = top.optionalSection("dedup")
                .map(s -> s.finish(s.durationOr("window", ReboundConfig.DEFAULT_DEDUP_WINDOW)))
                .orElse(ReboundConfig.DEFAULT_DEDUP_WINDOW);
        final List<MessagePattern> patterns = PatternLoader.patterns(top);
        final RetrySettings retries = retrySettings(top);
        final OpsSettings ops = top.optionalSection("ops").map(o -> o.finish(new OpsSettings(
                o.stringOr("bind", OpsSettings.DEFAULT.bind()), o.intOr("port", OpsSettings.DEFAULT.port()),
                o.boolOr("enabled", OpsSettings.DEFAULT.enabled())))).orElse(OpsSettings.DEFAULT);
        final StartupSettings startup = top.optionalSection("startup")
                .map(s -> s.finish(new StartupSettings(s.durationOr("timeout", StartupSettings.DEFAULT.timeout()))))
                .orElse(StartupSettings.DEFAULT);
        final ResultSettings results = top.optionalSection("results")
                .map(s -> s.finish(new ResultSettings(s.stringList("replyTopics", List.of())))).orElse(ResultSettings.DEFAULT);
        final Map<String, TargetConfig> targets = new LinkedHashMap<>();
        final Section ts = top.section("targets");
        for (final String name : ts.keys()) {
            if (!name.matches("[A-Za-z0-9._-]{1,100}")) {
                throw new ConfigException("targets." + name, "a target name may only contain letters, digits, '.', '_' and '-' (1..100)");
            }
            for (final TargetConfig t : target(name, ts.section(name), fromEnv)) {
                targets.put(t.name(), t);
            }
        }
        ts.done();
        top.done();
        return new ReboundConfig(kafka, targets, limits, prefix, dedup, patterns, retries, ops, startup, results);
    }

    /** The target {@code name}; for a pool, the pool and then its endpoints. */
    private List<TargetConfig> target(final String name, final Section s, final Map<String, Set<String>> fromEnv) {
        final boolean pooled = s.has("endpoints");
        final String kindText = s.stringOr("kind", pooled ? "pool" : "call").toUpperCase(Locale.ROOT);
        final TargetConfig.Kind kind;
        try {
            kind = TargetConfig.Kind.valueOf(kindText);
        } catch (final IllegalArgumentException e) {
            throw new ConfigException(s.path("kind"), "must be 'call', 'group' or 'pool', was '" + kindText.toLowerCase(Locale.ROOT) + "'");
        }
        if (pooled != (kind == TargetConfig.Kind.POOL)) {
            throw new ConfigException(s.path(pooled ? "kind" : "endpoints"), "a pool (kind: pool) is a target with 'endpoints', and only a pool has them");
        }
        if (pooled && s.has("url")) {
            throw new ConfigException(s.path("url"), "a pool has no url of its own: each of its endpoints has one");
        }
        final Optional<URI> url = s.optionalString("url").map(u -> uri(s.path("url"), u));
        final String at = s.parentPath();
        final Optional<Section> retrySection = s.optionalSection("retry");
        final AdaptivePolicy adaptive = within(at, () -> retrySection.flatMap(r -> r.optionalSection("adaptive"))
                .map(ConfigLoader::adaptive).orElse(AdaptivePolicy.DEFAULT));
        final RetryPolicy retry = within(at, () -> retrySection.map(this::retry).orElse(RetryPolicy.DEFAULT));
        final BudgetPolicy budget = within(at, () -> s.optionalSection("budget").map(ConfigLoader::budget).orElse(BudgetPolicy.DEFAULT));
        final CircuitPolicy circuit = within(at, () -> s.optionalSection("circuit").map(ConfigLoader::circuit).orElse(CircuitPolicy.DEFAULT));
        final List<FallbackStep> fallback = fallback(s);
        final Optional<RecoveryPolicy> recovery = within(at, () -> s.optionalSection("recovery").map(this::recovery));
        final RateLimitPolicy rateLimit = within(at, () -> s.optionalSection("rateLimit").map(ConfigLoader::rateLimit)
                .orElse(RateLimitPolicy.NONE));
        final Map<String, String> headers = s.map("headers");
        if (pooled) {
            final List<TargetConfig> pool = PoolLoader.expand(new PoolLoader.Common(name, s.optionalString("parent"),
                    s.stringOr("method", "POST").toUpperCase(Locale.ROOT), headers, s.durationOr("timeout", Duration.ofSeconds(30)),
                    s.intOr("maxInFlight", 64), retry, budget, adaptive, circuit, fallback, recovery, rateLimit), s, fromEnv);
            s.done();
            return pool;
        }
        final Set<String> secrets = TargetSecrets.of(s.path("headers"), headers, s.stringList("secretHeaders", List.of()),
                url, s.stringList("secretParams", List.of()), fromEnv);
        final TargetConfig t = new TargetConfig(name, kind, s.optionalString("parent"), url,
                s.stringOr("method", "POST").toUpperCase(Locale.ROOT), headers,
                s.durationOr("timeout", Duration.ofSeconds(30)), s.intOr("maxInFlight", 64), retry, budget, adaptive, circuit, fallback,
                recovery, rateLimit, secrets, Optional.empty(), Optional.empty());
        s.done();
        return List.of(t);
    }

    private static Limits limits(final Section s) {
        return s.finish(new Limits(
                s.intOr("maxRequestBytes", Limits.DEFAULT.maxRequestBytes()),
                s.intOr("maxPayloadBytes", Limits.DEFAULT.maxPayloadBytes()),
                s.intOr("maxResponseBytes", Limits.DEFAULT.maxResponseBytes()),
                s.intOr("maxAttemptsPerRequest", Limits.DEFAULT.maxAttemptsPerRequest()),
                s.durationOr("defaultTimeout", Limits.DEFAULT.defaultTimeout())));
    }

    private RecoveryPolicy recovery(final Section s) {
        final Optional<URI> url = s.optionalString("healthUrl").map(u -> uri(s.path("healthUrl"), u));
        final JsonNode probe = s.raw("probe");
        final List<Integer> steps = new ArrayList<>();
        for (final String step : s.stringList("rampSteps", RecoveryPolicy.DEFAULT_STEPS.stream().map(String::valueOf).toList())) {
            try {
                steps.add(Integer.parseInt(step.trim()));
            } catch (final NumberFormatException e) {
                throw new ConfigException(s.path("rampSteps"), "must be whole percentages such as [10, 25, 50, 100], had '" + step + "'");
            }
        }
        return s.finish(new RecoveryPolicy(url, Optional.ofNullable(probe).filter(p -> !p.isNull()),
                s.durationOr("interval", RecoveryPolicy.DEFAULT_INTERVAL), s.durationOr("timeout", RecoveryPolicy.DEFAULT_TIMEOUT),
                s.intOr("degradeAfter", 3), s.intOr("recoverAfter", 2), s.intOr("failAfter", 30), steps,
                s.durationOr("stepEvery", RecoveryPolicy.DEFAULT_STEP_EVERY)));
    }

    /** {@code fallback:} a list of steps, each with an optional {@code on} list and one of target, cache, static. */
    private static List<FallbackStep> fallback(final Section target) {
        final JsonNode list = target.raw("fallback");
        final List<FallbackStep> steps = new ArrayList<>();
        if (list == null || list.isNull()) {
            return steps;
        }
        final String at = target.path("fallback");
        if (!list.isArray()) {
            throw new ConfigException(at, "must be a list of steps such as [{ target: other }, { cache: { ttl: 1h } }, { static: {...} }]");
        }
        for (int i = 0; i < list.size(); i++) {
            final Section step = new Section(at + "[" + i + "]", list.get(i));
            final Set<String> on = new LinkedHashSet<>();
            for (final String name : step.stringList("on", List.copyOf(FallbackStep.DEFAULT_ON))) {
                final String upper = name.trim().toUpperCase(Locale.ROOT);
                if (!FallbackStep.NAMES.contains(upper)) {
                    throw new ConfigException(step.path("on"), "'" + name + "' is neither an error category " + List.of(ErrorCategory.values())
                            + " nor a reason " + FallbackStep.REASONS.stream().sorted().toList());
                }
                on.add(upper);
            }
            final List<String> kinds = List.of("target", "cache", "static").stream().filter(step::has).toList();
            if (kinds.size() != 1) {
                throw new ConfigException(step.parentPath(), "needs exactly one of 'target', 'cache' or 'static', had " + kinds);
            }
            final FallbackStep parsed = switch (kinds.get(0)) {
                case "target" -> new FallbackStep.ToTarget(on, step.optionalString("target").orElseThrow());
                case "cache" -> {
                    final JsonNode c = step.raw("cache");
                    if (c.isBoolean() && c.asBoolean()) {
                        yield new FallbackStep.FromCache(on, FallbackStep.FromCache.DEFAULT_TTL, FallbackStep.FromCache.DEFAULT_MAX_ENTRIES);
                    }
                    final Section cache = new Section(step.path("cache"), c);
                    yield within(step.parentPath(), () -> cache.finish(new FallbackStep.FromCache(on,
                            cache.durationOr("ttl", FallbackStep.FromCache.DEFAULT_TTL),
                            cache.intOr("maxEntries", FallbackStep.FromCache.DEFAULT_MAX_ENTRIES))));
                }
                default -> new FallbackStep.Static(on, step.raw("static"));
            };
            step.done();
            steps.add(parsed);
        }
        return steps;
    }

    private RetryPolicy retry(final Section s) {
        final RetryPolicy d = RetryPolicy.DEFAULT;
        final String jitterText = s.stringOr("jitter", d.jitter().name()).toUpperCase(Locale.ROOT);
        final Jitter jitter;
        try {
            jitter = Jitter.valueOf(jitterText);
        } catch (final IllegalArgumentException e) {
            throw new ConfigException(s.path("jitter"), "must be one of none, full, equal, decorrelated; was '" + jitterText.toLowerCase(Locale.ROOT) + "'");
        }
        final RetryPolicy p = new RetryPolicy(s.intOr("maxAttempts", d.maxAttempts()), s.durationOr("initialDelay", d.initialDelay()),
                s.doubleOr("multiplier", d.multiplier()), s.durationOr("maxDelay", d.maxDelay()), jitter);
        s.done();
        return p;
    }

    /** {@code rateLimit: { requestsPerMinute: 600, tokensPerMinute: 90000, concurrency: 20 | auto }}. */
    static RateLimitPolicy rateLimit(final Section s) {
        final boolean auto = s.optionalString("concurrency").filter(c -> c.trim().equalsIgnoreCase("auto")).isPresent();
        return s.finish(new RateLimitPolicy((int) positive(s, "requestsPerMinute"), positive(s, "tokensPerMinute"),
                auto ? 0 : (int) positive(s, "concurrency"), auto));
    }

    /** A limit that is set must be at least 1: zero would stop every call for good. */
    private static long positive(final Section s, final String key) {
        final long v = s.longOr(key, 0);
        if (v > RateLimitPolicy.MAX) {
            throw new ConfigException(s.path(key), "must be at most " + RateLimitPolicy.MAX + ", was " + v);
        }
        if (s.has(key) && v < 1) {
            throw new ConfigException(s.path(key), "must be at least 1 (leave it out for no limit), was " + v);
        }
        return v;
    }

    private static BudgetPolicy budget(final Section s) {
        final BudgetPolicy d = BudgetPolicy.DEFAULT;
        return s.finish(new BudgetPolicy(s.doubleOr("ratio", d.ratio()), s.doubleOr("minRetriesPerSecond", d.minRetriesPerSecond()),
                s.durationOr("window", d.window())));
    }

    private static CircuitPolicy circuit(final Section s) {
        final CircuitPolicy d = CircuitPolicy.DEFAULT;
        return s.finish(new CircuitPolicy(
                s.enumOr("windowType", d.windowType(), CircuitPolicy.WindowType.class), s.durationOr("window", d.window()),
                s.intOr("windowSize", d.windowSize()), s.intOr("minCalls", d.minCalls()), s.doubleOr("failureRate", d.failureRate()),
                s.intOr("consecutiveFailures", d.consecutiveFailures()), s.durationOr("slowCall", d.slowCall()),
                s.doubleOr("slowCallRate", d.slowCallRate()), s.durationOr("openFor", d.openFor()), s.intOr("probes", d.probes()),
                s.boolOr("rateLimitedTrips", d.rateLimitedTrips()), s.enumOr("scope", d.scope(), CircuitPolicy.Scope.class),
                s.boolOr("enabled", d.enabled()), cooldowns(s, d.cooldowns())));
    }

    /** {@code cooldowns: { QUOTA_EXHAUSTED: 1h }}: categories that open the circuit at once, for that long. */
    private static Map<ErrorCategory, Duration> cooldowns(final Section circuit, final Map<ErrorCategory, Duration> defaults) {
        if (!circuit.has("cooldowns")) {
            circuit.consume("cooldowns");
            return defaults;
        }
        final Map<ErrorCategory, Duration> out = new LinkedHashMap<>();
        final Section s = circuit.section("cooldowns");
        for (final String name : s.keys()) {
            final ErrorCategory category;
            try {
                category = ErrorCategory.valueOf(name.trim().toUpperCase(Locale.ROOT));
            } catch (final IllegalArgumentException e) {
                throw new ConfigException(s.path(name), "'" + name + "' is not a category; use one of " + List.of(ErrorCategory.values()));
            }
            out.put(category, s.durationOr(name, null));
        }
        return out;
    }

    private static AdaptivePolicy adaptive(final Section s) {
        final AdaptivePolicy d = AdaptivePolicy.DEFAULT;
        return s.finish(new AdaptivePolicy(s.boolOr("enabled", d.enabled()), s.doubleOr("failureRate", d.failureRate()),
                s.intOr("minCalls", d.minCalls()), s.durationOr("step", d.step())));
    }

    private static RetrySettings retrySettings(final Section top) {
        final RetrySettings d = RetrySettings.DEFAULT;
        final Optional<Section> retries = top.optionalSection("retries");
        final Optional<Section> errors = top.optionalSection("errors");
        final List<Duration> tiers = retries.map(r -> r.durationList("tiers", d.tiers())).orElse(d.tiers());
        final double maxPerSecond = retries.map(r -> r.doubleOr("maxPerSecond", d.maxPerSecond())).orElse(d.maxPerSecond());
        final Duration window = errors.map(e -> e.durationOr("window", d.errorWindow())).orElse(d.errorWindow());
        final int threshold = errors.map(e -> e.intOr("patternThreshold", d.patternThreshold())).orElse(d.patternThreshold());
        retries.ifPresent(Section::done);
        errors.ifPresent(Section::done);
        return new RetrySettings(tiers, maxPerSecond, window, threshold);
    }

    /**
     * Runs a target's record constructor; a {@link ConfigException} naming a field relative to the
     * target ({@code retry.maxAttempts}) is re-thrown with the target's path in front.
     */
    static <T> T within(final String targetPath, final Supplier<T> build) {
        try {
            return build.get();
        } catch (final ConfigException e) {
            if (e.field().startsWith("targets.")) {
                throw e;
            }
            throw new ConfigException(targetPath + "." + e.field(), e.getMessage().substring(e.field().length() + 2));
        }
    }

    static URI uri(final String field, final String value) {
        try {
            return new URI(value);
        } catch (final URISyntaxException e) {
            throw new ConfigException(field, "is not a valid URL: " + e.getMessage());
        }
    }

    /**
     * Substitutes {@code ${VAR}} in every string value, inside mappings and lists alike; records the
     * substituted values by path, because a header value from the environment is a secret.
     */
    private JsonNode substitute(final JsonNode node, final String path, final Map<String, Set<String>> fromEnv) {
        if (node.isTextual()) {
            final Matcher m = ENV.matcher(node.asText());
            final StringBuilder out = new StringBuilder();
            while (m.find()) {
                String value = env.apply(m.group(1));
                if (value == null) {
                    value = m.group(2);
                }
                if (value == null) {
                    throw new ConfigException(path.isEmpty() ? "config" : path,
                            "environment variable " + m.group(1) + " is not set (write ${" + m.group(1) + ":-default} for a default)");
                }
                fromEnv.computeIfAbsent(path, p -> new HashSet<>()).add(value);
                m.appendReplacement(out, Matcher.quoteReplacement(value));
            }
            m.appendTail(out);
            return TextNode.valueOf(out.toString());
        }
        if (node.isObject()) {
            final ObjectNode copy = ((ObjectNode) node).objectNode();
            final Iterator<Map.Entry<String, JsonNode>> it = node.fields();
            while (it.hasNext()) {
                final Map.Entry<String, JsonNode> e = it.next();
                copy.set(e.getKey(), substitute(e.getValue(), path.isEmpty() ? e.getKey() : path + "." + e.getKey(), fromEnv));
            }
            return copy;
        }
        if (node.isArray()) {
            final ArrayNode copy = ((ArrayNode) node).arrayNode();
            for (int i = 0; i < node.size(); i++) {
                copy.add(substitute(node.get(i), path + "[" + i + "]", fromEnv));
            }
            return copy;
        }
        return node;
    }
}
