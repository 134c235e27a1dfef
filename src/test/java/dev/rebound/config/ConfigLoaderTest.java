package dev.rebound.config;

import dev.rebound.classify.ErrorCategory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigLoaderTest {

    /** DESIGN §5's example, verbatim in shape. */
    private static final String DESIGN_EXAMPLE = """
            kafka:
              bootstrap.servers: localhost:9092
              application.id: rebound
              processing.guarantee: exactly_once_v2
            targets:
              openai:
                kind: group
              openai-chat:
                parent: openai
                url: https://api.openai.com/v1/chat/completions
                headers: { Authorization: "Bearer ${OPENAI_API_KEY}" }
                timeout: 30s
                maxInFlight: 64
                retry:    { maxAttempts: 4, initialDelay: 1s, multiplier: 2.0, maxDelay: 5m, jitter: full }
                budget:   { ratio: 0.2, minRetriesPerSecond: 5 }
                circuit:  { window: 60s, minCalls: 10, failureRate: 0.5, consecutiveFailures: 5,
                            slowCall: 20s, slowCallRate: 0.8, openFor: 30s, probes: 3 }
                recovery: { healthUrl: https://status.example/health, interval: 10s, rampSteps: [10, 25, 50, 100], stepEvery: 30s }
                fallback:
                  - { on: [CONTEXT_TOO_LONG], target: openai-chat-long }
                  - { on: [SERVER_ERROR, TIMEOUT, NETWORK, RATE_LIMITED, CIRCUIT_OPEN, RETRIES_EXHAUSTED], target: anthropic-chat }
                  - { cache: { ttl: 1h } }
                  - { static: { "content": "The assistant is busy; please try again shortly." } }
              openai-chat-long:
                parent: openai
                url: https://api.openai.com/v1/chat/completions
              anthropic-chat:
                url: https://api.anthropic.com/v1/messages
            """;

    private final ConfigLoader loader = new ConfigLoader(Map.of("OPENAI_API_KEY", "sk-test-abcdef123456")::get);

    @Test
    void shouldLoadTheDesignExample() {
        final ReboundConfig c = loader.parse(DESIGN_EXAMPLE);
        final TargetConfig chat = c.target("openai-chat").orElseThrow();
        assertThat(c.kafka()).containsEntry("bootstrap.servers", "localhost:9092");
        assertThat(chat.parent()).contains("openai");
        assertThat(chat.headers()).containsEntry("Authorization", "Bearer sk-test-abcdef123456");
        assertThat(chat.timeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(chat.retry()).isEqualTo(new RetryPolicy(4, Duration.ofSeconds(1), 2.0, Duration.ofMinutes(5), Jitter.FULL));
        assertThat(chat.recovery()).hasValueSatisfying(r -> {
            assertThat(r.healthUrl()).hasValueSatisfying(u -> assertThat(u.toString()).isEqualTo("https://status.example/health"));
            assertThat(r.rampSteps()).containsExactly(10, 25, 50, 100);
            assertThat(r.stepEvery()).isEqualTo(Duration.ofSeconds(30));
            assertThat(r.interval()).isEqualTo(Duration.ofSeconds(10));
        });
        assertThat(chat.fallback()).hasSize(4);
        assertThat(chat.fallback().get(0)).isEqualTo(new FallbackStep.ToTarget(Set.of("CONTEXT_TOO_LONG"), "openai-chat-long"));
        assertThat(chat.fallback().get(1).on()).contains("CIRCUIT_OPEN", "RETRIES_EXHAUSTED").hasSize(6);
        assertThat(chat.fallback().get(2)).isEqualTo(new FallbackStep.FromCache(FallbackStep.DEFAULT_ON, Duration.ofHours(1), 10_000));
        assertThat(chat.fallback().get(3).servedBy()).isEqualTo("static");
        assertThat(((FallbackStep.Static) chat.fallback().get(3)).value().path("content").asText()).startsWith("The assistant is busy");
        assertThat(FallbackStep.DEFAULT_ON).contains("SERVER_ERROR", "CIRCUIT_OPEN").doesNotContain("VALIDATION", "AUTHENTICATION");
        assertThat(chat.circuit()).isEqualTo(new CircuitPolicy(CircuitPolicy.WindowType.TIME, Duration.ofSeconds(60), 100, 10, 0.5, 5,
                Duration.ofSeconds(20), 0.8, Duration.ofSeconds(30), 3, false, CircuitPolicy.Scope.CLUSTER, true,
                Map.of(ErrorCategory.QUOTA_EXHAUSTED, Duration.ofMinutes(15))));
        assertThat(chat.budget()).isEqualTo(new BudgetPolicy(0.2, 5, Duration.ofSeconds(10)));
        assertThat(chat.adaptive()).isEqualTo(AdaptivePolicy.DEFAULT);
        assertThat(c.retries()).isEqualTo(RetrySettings.DEFAULT);
        assertThat(c.target("openai").orElseThrow().kind()).isEqualTo(TargetConfig.Kind.GROUP);
        assertThat(c.dedupWindow()).isEqualTo(Duration.ofHours(24));
    }

    @Test
    void shouldNeverPrintHeaderValues() {
        final ReboundConfig c = loader.parse(DESIGN_EXAMPLE);
        assertThat(c.target("openai-chat").orElseThrow().toString()).doesNotContain("sk-test-abcdef123456").contains("Authorization=***");
        assertThat(c.secrets()).contains("Bearer sk-test-abcdef123456");
    }

    @Test
    void shouldCallSecretsOnlyWhatDesignSaysIsASecret() {
        final ReboundConfig c = new ConfigLoader(Map.of("KEY", "sk-from-env-1234567", "REGION", "eu-west-1")::get).parse("""
                kafka: { sasl.jaas.config: "PlainLoginModule required password=kpass;" }
                targets:
                  a:
                    url: "http://h/x?region=${REGION}&key=qs-secret-98765"
                    headers:
                      anthropic-version: "2023-06-01"
                      Content-Type: application/json
                      X-Custom-Token: "${KEY}"
                      x-api-key: literal-key-abcdef
                      X-Org: org-listed-secret
                      X-Region: "${REGION:-none}-zone"
                    secretHeaders: [X-Org]
                    secretParams: [key]
                """);
        assertThat(c.secrets()).contains("sk-from-env-1234567", "literal-key-abcdef", "org-listed-secret", "qs-secret-98765", "eu-west-1")
                .anyMatch(s -> s.contains("kpass"))
                .doesNotContain("2023-06-01", "application/json", "eu-west-1-zone");
    }

    @Test
    void shouldNameTheFieldOfASecretHeaderOrParamThatIsNotThere() {
        assertThatThrownBy(() -> loader.parse("targets: {a: {url: 'http://h/x', headers: {A: b}, secretHeaders: [B]}}"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("targets.a.secretHeaders");
        assertThatThrownBy(() -> loader.parse("targets: {a: {url: 'http://h/x?q=1', secretParams: [key]}}"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("targets.a.secretParams");
    }

    @Test
    void shouldSubstituteVariablesInsideLists() {
        final ReboundConfig c = new ConfigLoader(Map.of("SLOW", "30s")::get).parse("""
                retries: { tiers: [1s, "${SLOW}"] }
                targets: { a: { url: "http://h/x" } }
                """);
        assertThat(c.retries().tiers()).contains(Duration.ofSeconds(30));
    }

    @Test
    void shouldRefuseAMethodThatIsNotAnHttpMethodForCalls() {
        assertThatThrownBy(() -> loader.parse("targets: {a: {url: 'http://h/x', method: 'TELEPORT'}}"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("targets.a.method");
    }

    @Test
    void shouldRefuseLimitsWhoseRecordsTheProducerCouldNotSend() {
        assertThatThrownBy(() -> loader.parse("limits: {maxRequestBytes: 1048576}\ntargets: {a: {url: 'http://h/x'}}"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("max.request.size");
        final ReboundConfig raised = loader.parse("""
                kafka: { max.request.size: "4194304" }
                limits: { maxRequestBytes: 2097152, maxResponseBytes: 2097152 }
                targets: { a: { url: "http://h/x" } }
                """);
        assertThat(raised.limits().maxRequestBytes()).isEqualTo(2 << 20);
        assertThat(loader.parse("targets: {a: {url: 'http://h/x'}}").limits().defaultTimeout()).isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void shouldUseTheDefaultOfAnUnsetVariable() {
        final ReboundConfig c = new ConfigLoader(k -> null).parse("""
                targets:
                  t:
                    url: http://${HOST:-localhost}:8080/x
                """);
        assertThat(c.target("t").orElseThrow().url()).hasValueSatisfying(u -> assertThat(u.toString()).isEqualTo("http://localhost:8080/x"));
    }

    @Test
    void shouldNotLetAVariableChangeTheDocumentStructure() {
        final ReboundConfig c = new ConfigLoader(Map.of("KEY", "x, maxInFlight: 1")::get).parse("""
                targets:
                  t:
                    url: http://localhost/x
                    headers: { X-Key: "${KEY}" }
                """);
        assertThat(c.target("t").orElseThrow().maxInFlight()).isEqualTo(64);
        assertThat(c.target("t").orElseThrow().headers().get("X-Key")).isEqualTo("x, maxInFlight: 1");
    }

    @Test
    void shouldRefuseAHeaderValueThatWouldSplitTheHttpHeader() {
        assertThatThrownBy(() -> new ConfigLoader(Map.of("KEY", "x\r\nX-Injected: 1")::get).parse("""
                targets:
                  t:
                    url: http://localhost/x
                    headers: { X-Key: "${KEY}" }
                """)).isInstanceOf(ConfigException.class).hasMessageContaining("targets.t.headers.X-Key").hasMessageContaining("line break");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "missing env var    | targets: {t: {url: 'http://h/x', headers: {A: '${NOPE}'}}}          | targets.t.headers.A",
            "unknown key        | targets: {t: {url: 'http://h/x', maxInflight: 3}}                   | targets.t.maxInflight",
            "bad duration       | targets: {t: {url: 'http://h/x', timeout: 30}}                      | targets.t.timeout",
            "zero timeout       | targets: {t: {url: 'http://h/x', timeout: 0s}}                      | targets.t.timeout",
            "not a number       | targets: {t: {url: 'http://h/x', maxInFlight: lots}}                | targets.t.maxInFlight",
            "in-flight range    | targets: {t: {url: 'http://h/x', maxInFlight: 0}}                   | targets.t.maxInFlight",
            "no url             | targets: {t: {timeout: 1s}}                                         | targets.t.url",
            "ftp url            | targets: {t: {url: 'ftp://h/x'}}                                    | targets.t.url",
            "bad kind           | targets: {t: {kind: lambda, url: 'http://h/x'}}                     | targets.t.kind",
            "unknown parent     | targets: {t: {url: 'http://h/x', parent: nope}}                     | targets.t.parent",
            "retry attempts     | targets: {t: {url: 'http://h/x', retry: {maxAttempts: 0}}}          | targets.t.retry.maxAttempts",
            "retry jitter       | targets: {t: {url: 'http://h/x', retry: {jitter: some}}}            | targets.t.retry.jitter",
            "retry multiplier   | targets: {t: {url: 'http://h/x', retry: {multiplier: 0.5}}}         | targets.t.retry.multiplier",
            "no targets         | kafka: {a: b}                                                       | targets",
            "bad prefix         | {topics: {prefix: 'a b'}, targets: {t: {url: 'http://h/x'}}}        | topics.prefix",
            "bad limit          | {limits: {maxPayloadBytes: -1}, targets: {t: {url: 'http://h/x'}}}  | limits.maxPayloadBytes",
            "bad pattern        | {classification: {patterns: [{pattern: '(', category: TIMEOUT}]}, targets: {t: {url: 'http://h/x'}}} | classification.patterns[0].pattern",
            "bad category       | {classification: {patterns: [{pattern: 'x', category: SLOW}]}, targets: {t: {url: 'http://h/x'}}}   | classification.patterns[0].category",
            "unknown top key    | {targetz: {}, targets: {t: {url: 'http://h/x'}}}                    | targetz",
            "budget ratio       | targets: {t: {url: 'http://h/x', budget: {ratio: 2}}}               | targets.t.budget.ratio",
            "budget window      | targets: {t: {url: 'http://h/x', budget: {window: 5m}}}             | targets.t.budget.window",
            "adaptive rate      | targets: {t: {url: 'http://h/x', retry: {adaptive: {failureRate: 0}}}} | targets.t.retry.adaptive.failureRate",
            "adaptive flag      | targets: {t: {url: 'http://h/x', retry: {adaptive: {enabled: maybe}}}} | targets.t.retry.adaptive.enabled",
            "tiers order        | {retries: {tiers: [10s, 1s]}, targets: {t: {url: 'http://h/x'}}}    | retries.tiers[1]",
            "tier duration      | {retries: {tiers: [1s, soon]}, targets: {t: {url: 'http://h/x'}}}   | retries.tiers[1]",
            "retry cap          | {retries: {maxPerSecond: 0}, targets: {t: {url: 'http://h/x'}}}     | retries.maxPerSecond",
            "error window       | {errors: {window: 2h}, targets: {t: {url: 'http://h/x'}}}           | errors.window",
            "circuit rate       | targets: {t: {url: 'http://h/x', circuit: {failureRate: 1.5}}}       | targets.t.circuit.failureRate",
            "circuit scope      | targets: {t: {url: 'http://h/x', circuit: {scope: pod}}}             | targets.t.circuit.scope",
            "circuit probes     | targets: {t: {url: 'http://h/x', circuit: {probes: 0}}}              | targets.t.circuit.probes",
            "circuit window     | targets: {t: {url: 'http://h/x', circuit: {windowType: sliding}}}   | targets.t.circuit.windowType",
            "cooldown category  | targets: {t: {url: 'http://h/x', circuit: {cooldowns: {BROKE: 1h}}}} | targets.t.circuit.cooldowns.BROKE",
            "cooldown duration  | targets: {t: {url: 'http://h/x', circuit: {cooldowns: {QUOTA_EXHAUSTED: 10}}}} | targets.t.circuit.cooldowns.QUOTA_EXHAUSTED",
            "attempts per req   | {limits: {maxAttemptsPerRequest: 0}, targets: {t: {url: 'http://h/x'}}} | limits.maxAttemptsPerRequest",
            "fallback not list  | targets: {t: {url: 'http://h/x', fallback: {static: 1}}}             | targets.t.fallback",
            "fallback two kinds | targets: {t: {url: 'http://h/x', fallback: [{static: 1, cache: true}]}} | targets.t.fallback[0]",
            "fallback no kind   | targets: {t: {url: 'http://h/x', fallback: [{on: [TIMEOUT]}]}}      | targets.t.fallback[0]",
            "fallback bad on    | targets: {t: {url: 'http://h/x', fallback: [{on: [OOPS], static: 1}]}} | targets.t.fallback[0].on",
            "fallback on scalar | targets: {t: {url: 'http://h/x', fallback: [{on: TIMEOUT, static: 1}]}} | targets.t.fallback[0].on",
            "fallback unknown   | targets: {t: {url: 'http://h/x', fallback: [{static: 1, when: x}]}} | targets.t.fallback[0].when",
            "fallback target    | targets: {t: {url: 'http://h/x', fallback: [{target: nope}]}}       | targets.t.fallback[0].target",
            "fallback itself    | targets: {t: {url: 'http://h/x', fallback: [{target: t}]}}          | targets.t.fallback[0].target",
            "fallback group     | targets: {g: {kind: group}, t: {url: 'http://h/x', fallback: [{target: g}]}} | targets.t.fallback[0].target",
            "cache ttl          | targets: {t: {url: 'http://h/x', fallback: [{cache: {ttl: 0s}}]}}   | targets.t.fallback[0].cache.ttl",
            "cache bound        | targets: {t: {url: 'http://h/x', fallback: [{cache: {maxEntries: 0}}]}} | targets.t.fallback[0].cache.maxEntries",
            "recovery neither   | targets: {t: {url: 'http://h/x', recovery: {interval: 1s}}}         | targets.t.recovery",
            "recovery both      | targets: {t: {url: 'http://h/x', recovery: {healthUrl: 'http://h/h', probe: {}}}} | targets.t.recovery",
            "recovery steps     | targets: {t: {url: 'http://h/x', recovery: {healthUrl: 'http://h/h', rampSteps: [50, 20]}}} | targets.t.recovery.rampSteps[1]",
            "recovery step text | targets: {t: {url: 'http://h/x', recovery: {healthUrl: 'http://h/h', rampSteps: [ten]}}} | targets.t.recovery.rampSteps",
            "recovery interval  | targets: {t: {url: 'http://h/x', recovery: {healthUrl: 'http://h/h', interval: 10ms}}} | targets.t.recovery.interval",
            "recovery counts    | targets: {t: {url: 'http://h/x', recovery: {healthUrl: 'http://h/h', recoverAfter: 0}}} | targets.t.recovery.recoverAfter",
            "recovery no circ.  | targets: {t: {url: 'http://h/x', circuit: {enabled: false}, recovery: {healthUrl: 'http://h/h'}}} | targets.t.recovery",
            "recovery unknown   | targets: {t: {url: 'http://h/x', recovery: {healthUrl: 'http://h/h', steps: [1]}}} | targets.t.recovery.steps",
            "cache unknown      | targets: {t: {url: 'http://h/x', fallback: [{cache: {size: 3}}]}}   | targets.t.fallback[0].cache.size",
            "startup zero       | {startup: {timeout: 0s}, targets: {t: {url: 'http://h/x'}}}          | startup.timeout",
            "startup not a time | {startup: {timeout: soon}, targets: {t: {url: 'http://h/x'}}}        | startup.timeout",
            "startup unknown    | {startup: {retries: 3}, targets: {t: {url: 'http://h/x'}}}           | startup.retries",
            "rate zero          | targets: {t: {url: 'http://h/x', rateLimit: {requestsPerMinute: 0}}} | targets.t.rateLimit.requestsPerMinute",
            "rate on a group    | targets: {g: {kind: group, rateLimit: {requestsPerMinute: 5}}, t: {url: 'http://h/x'}} | targets.g.rateLimit",
            "rate unknown       | targets: {t: {url: 'http://h/x', rateLimit: {rpm: 5}}}               | targets.t.rateLimit.rpm",
            "pool with url      | targets: {p: {url: 'http://h/x', endpoints: [{name: a, url: 'http://h/a'}]}} | targets.p.url",
            "pool empty         | targets: {p: {endpoints: []}}                                        | targets.p.endpoints",
            "pool no name       | targets: {p: {endpoints: [{url: 'http://h/a'}]}}                     | targets.p.endpoints[0].name",
            "pool bad name      | targets: {p: {endpoints: [{name: 'a/b', url: 'http://h/a'}]}}        | targets.p.endpoints[0].name",
            "pool same name     | targets: {p: {endpoints: [{name: a, url: 'http://h/a'}, {name: a, url: 'http://h/b'}]}} | targets.p.endpoints[1].name",
            "pool no url        | targets: {p: {endpoints: [{name: a}]}}                               | targets.p.endpoints[0].url",
            "pool weight        | targets: {p: {endpoints: [{name: a, url: 'http://h/a', weight: 0}]}} | targets.p.endpoints[0].weight",
            "pool endpoint key  | targets: {p: {endpoints: [{name: a, url: 'http://h/a', wieght: 2}]}} | targets.p.endpoints[0].wieght",
            "pool balance       | targets: {p: {balance: random, endpoints: [{name: a, url: 'http://h/a'}]}} | targets.p.balance",
            "pool kind call     | targets: {p: {kind: call, endpoints: [{name: a, url: 'http://h/a'}]}} | targets.p.kind",
            "pool no endpoints  | targets: {p: {kind: pool, url: 'http://h/a'}}                        | targets.p.endpoints",
            "fallback endpoint  | targets: {p: {endpoints: [{name: a, url: 'http://h/a'}]}, t: {url: 'http://h/x', fallback: [{target: p/a}]}} | targets.t.fallback[0].target"})
    void shouldNameTheFieldOfEveryError(final String what, final String yaml, final String field) {
        assertThatThrownBy(() -> new ConfigLoader(k -> null).parse(yaml))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).field()).isEqualTo(field))
                .hasMessageStartingWith(field + ": ");
    }

    @Test
    void shouldReadDelayTiersAndPickTheTierThatFitsAWait() {
        final ReboundConfig c = loader.parse("""
                retries: { tiers: [500ms, 5s, 2m], maxPerSecond: 50 }
                errors: { window: 30s, patternThreshold: 3 }
                targets: { t: { url: 'http://h/x' } }
                """);
        assertThat(c.retries().tiers()).containsExactly(Duration.ofMillis(500), Duration.ofSeconds(5), Duration.ofMinutes(2));
        assertThat(c.retries().tierFor(Duration.ofMillis(100))).isEqualTo(Duration.ofMillis(500));
        assertThat(c.retries().tierFor(Duration.ofSeconds(5))).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.retries().tierFor(Duration.ofSeconds(6))).isEqualTo(Duration.ofMinutes(2));
        assertThat(c.retries().tierFor(Duration.ofHours(1))).as("longer waits go to the longest tier").isEqualTo(Duration.ofMinutes(2));
        assertThat(RetrySettings.tierName(Duration.ofMillis(500))).isEqualTo("500ms");
        assertThat(c.retries().patternThreshold()).isEqualTo(3);
    }

    @Test
    void shouldLoadTheShippedExamples() {
        final ReboundConfig example = new ConfigLoader(Map.of("OPENAI_API_KEY", "sk-example-123456")::get)
                .load(Path.of("examples/rebound.yaml"));
        assertThat(example.target("openai-chat").orElseThrow().circuit().consecutiveFailures()).isEqualTo(5);
        assertThat(example.target("openai").orElseThrow().circuit().consecutiveFailures()).isEqualTo(10);
        assertThat(example.kafka()).containsEntry("bootstrap.servers", "localhost:9092");
        final ReboundConfig compose = new ConfigLoader(Map.<String, String>of()::get).load(Path.of("examples/compose.yaml"));
        assertThat(compose.target("sim-chat")).isPresent();
    }

    @Test
    void shouldWaitSixtySecondsForTheClusterUnlessToldOtherwise() {
        assertThat(loader.parse("targets: { t: { url: 'http://h/x' } }").startup().timeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(loader.parse("{startup: {timeout: 5s}, targets: { t: { url: 'http://h/x' } }}").startup().timeout())
                .isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void shouldReadAPoolAsThePoolAndOneTargetPerEndpointInheritingItsPolicies() {
        final ReboundConfig c = loader.parse("""
                targets:
                  azure:
                    headers: { api-version: "2024-06-01" }
                    timeout: 20s
                    retry: { maxAttempts: 4 }
                    circuit: { consecutiveFailures: 7 }
                    balance: least-loaded
                    rateLimit: { requestsPerMinute: 1000, concurrency: auto }
                    fallback: [{ static: { busy: true } }]
                    endpoints:
                      - { name: east, url: "https://east.example/v1", headers: { api-key: "k-east" }, weight: 3,
                          rateLimit: { requestsPerMinute: 600 } }
                      - { name: west, url: "https://west.example/v1", timeout: 5s }
                """);
        final TargetConfig pool = c.target("azure").orElseThrow();
        assertThat(pool.kind()).isEqualTo(TargetConfig.Kind.POOL);
        assertThat(pool.requestable()).isTrue();
        assertThat(pool.pool()).hasValue(new Pool(List.of("azure/east", "azure/west"), Pool.Balance.LEAST_LOADED));
        assertThat(pool.rateLimit()).isEqualTo(new RateLimitPolicy(1000, 0, 0, false));
        assertThat(pool.url()).isEmpty();
        final TargetConfig east = c.target("azure/east").orElseThrow();
        assertThat(east.requestable()).isFalse();
        assertThat(east.parent()).contains("azure");
        assertThat(east.member()).hasValue(new Pool.Member("azure", "east", 3));
        assertThat(east.headers()).containsEntry("api-version", "2024-06-01").containsEntry("api-key", "k-east");
        assertThat(east.secrets()).containsExactly("k-east");
        assertThat(east.timeout()).isEqualTo(Duration.ofSeconds(20));
        assertThat(east.retry().maxAttempts()).isEqualTo(4);
        assertThat(east.circuit().consecutiveFailures()).isEqualTo(7);
        assertThat(east.rateLimit()).isEqualTo(new RateLimitPolicy(600, 0, 0, true));
        assertThat(east.fallback()).as("the pool's chain runs once, for the pool").isEmpty();
        final TargetConfig west = c.target("azure/west").orElseThrow();
        assertThat(west.timeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(west.member().orElseThrow().weight()).isEqualTo(1);
        assertThat(c.owner(east)).isSameAs(pool);
        assertThat(c.owner(pool)).isSameAs(pool);
        assertThat(c.secrets()).contains("k-east");
    }

    @Test
    void shouldRejectAParentCycle() {
        assertThatThrownBy(() -> loader.parse("""
                targets:
                  a: {kind: group, parent: b}
                  b: {kind: group, parent: a}
                  t: {url: 'http://h/x', parent: a}
                """)).isInstanceOf(ConfigException.class).hasMessageContaining("cycle");
    }

    @Test
    void shouldRejectInvalidYaml() {
        assertThatThrownBy(() -> loader.parse("targets: [unclosed")).isInstanceOf(ConfigException.class).hasMessageContaining("YAML");
    }
}
