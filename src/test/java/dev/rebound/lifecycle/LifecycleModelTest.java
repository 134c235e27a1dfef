package dev.rebound.lifecycle;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rebound.circuit.Admission;
import dev.rebound.classify.Classification;
import dev.rebound.classify.ErrorCategory;
import dev.rebound.config.ConfigLoader;
import dev.rebound.config.ReboundConfig;
import dev.rebound.request.AgentRequest;
import dev.rebound.request.Json;
import dev.rebound.request.ParseResult;
import dev.rebound.request.RequestParser;
import dev.rebound.request.Source;
import dev.rebound.retry.TargetRetryState;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.random.RandomGenerator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * A model-based test of {@link Lifecycle}: random sequences of what can happen to requests
 * (arrivals with duplicates, call outcomes of every category, timers, refusals, a target with no
 * room, restarts that lose the running calls, exceptions injected while a step executes) are run
 * against a small in-memory executor that does what {@code CallProcessor} does with each step. The
 * invariants: exactly one terminal record per request that arrived, never a call after it, never
 * two calls of one request at once, no exception escaping the lifecycle, nothing waiting past its
 * deadline, and at the end nothing in flight and no call running. Requests carry random policies
 * within their target's bounds, which hold: no more attempts of the target than
 * {@code policy.maxAttempts}, no call longer than {@code policy.timeoutMs}, no fallback step the
 * policy leaves out, and every terminal record states its policy.
 */
class LifecycleModelTest {

    private static final ReboundConfig CONFIG = new ConfigLoader(k -> null).parse("""
            limits: { maxAttemptsPerRequest: 6, defaultTimeout: 2m }
            targets:
              llm:
                url: http://127.0.0.1:1/llm
                retry: { maxAttempts: 3, initialDelay: 1s, maxDelay: 10s, jitter: full }
                budget: { ratio: 0.5, minRetriesPerSecond: 1 }
                fallback:
                  - { on: [SERVER_ERROR, TIMEOUT, NETWORK, RETRIES_EXHAUSTED], target: backup }
                  - { on: [CIRCUIT_OPEN, RESPONSE_TOO_LARGE], cache: { ttl: 1h } }
                  - { on: [DISABLED], static: { busy: true } }
              backup:
                url: http://127.0.0.1:1/backup
                retry: { maxAttempts: 2, initialDelay: 500ms, jitter: none }
              tools:
                url: http://127.0.0.1:1/tools
                retry: { maxAttempts: 4, initialDelay: 200ms, jitter: equal }
            """);
    private static final List<String> TARGETS = List.of("llm", "tools");
    /** Policies within the bounds of llm (3 attempts, 30 s, chain backup, cache, static) and tools (4 attempts, 30 s, no chain). */
    private static final Map<String, List<String>> POLICIES = Map.of(
            "llm", List.of("{\"maxAttempts\":1}", "{\"maxAttempts\":2,\"fallback\":[3]}", "{\"fallback\":false}",
                    "{\"fallback\":[\"cache\",\"backup\"],\"timeoutMs\":800}", "{\"fallback\":true,\"timeoutMs\":30000}",
                    "{\"fallback\":[\"static\"],\"tokens\":10}"),
            "tools", List.of("{\"maxAttempts\":1}", "{\"maxAttempts\":4,\"fallback\":false}", "{\"timeoutMs\":1}"));
    private static final ErrorCategory[] FAILURES = {ErrorCategory.TRANSIENT, ErrorCategory.RATE_LIMITED, ErrorCategory.AUTHENTICATION,
        ErrorCategory.VALIDATION, ErrorCategory.CONTEXT_TOO_LONG, ErrorCategory.CONTENT_POLICY, ErrorCategory.QUOTA_EXHAUSTED,
        ErrorCategory.NOT_FOUND, ErrorCategory.SERVER_ERROR, ErrorCategory.TIMEOUT, ErrorCategory.NETWORK, ErrorCategory.UNKNOWN,
        ErrorCategory.RESPONSE_TOO_LARGE};

    /** Counts the sequences run, for the closing note. */
    static int sequences;

    @Property(tries = 1500)
    void shouldEndEveryRequestExactlyOnceWhateverHappens(@ForAll final long seed, @ForAll @IntRange(min = 5, max = 120) final int actions) {
        sequences++;
        new Model(seed).run(actions);
    }

    /** The executor of the model: what CallProcessor does with each step, in memory. */
    private static final class Model {
        private final SplittableRandom rnd;
        private final Lifecycle lifecycle = new Lifecycle(CONFIG, new Terminals(UnaryOperator.identity()));
        private final RequestParser parser = new RequestParser(CONFIG.targets(), CONFIG.limits());
        private Instant now = Instant.parse("2026-11-30T12:00:00Z");
        private final Map<String, InFlightEntry> store = new TreeMap<>();
        private final Map<String, int[]> running = new HashMap<>();           // id -> {attempt}
        private final Map<String, String> runningTarget = new HashMap<>();
        private final List<Object[]> timers = new ArrayList<>();              // {id, attempt, due}
        private final Map<String, Integer> terminals = new HashMap<>();
        private final Set<String> arrived = new HashSet<>();
        private final Map<String, TargetRetryState> states = new HashMap<>();
        private final Map<String, Env.Cached> cache = new HashMap<>();
        private boolean injectFaults = true;
        private final Env env;

        Model(final long seed) {
            this.rnd = new SplittableRandom(seed);
            this.env = new Env() {
                @Override
                public boolean retryPermit(final Instant at) {
                    return rnd.nextInt(10) > 0;
                }

                @Override
                public RandomGenerator random() {
                    return rnd;
                }

                @Override
                public Optional<Cached> cached(final String primary, final String cacheKey, final Duration ttl, final Instant at) {
                    return Optional.ofNullable(cache.get(primary + "/" + cacheKey));
                }
            };
        }

        void run(final int actions) {
            for (int i = 0; i < actions; i++) {
                switch (rnd.nextInt(9)) {
                    case 0, 1, 2 -> arrive();
                    case 3, 4 -> finishOne(false);
                    case 5 -> fireEarliest();
                    case 6 -> now = now.plusMillis(rnd.nextInt(3_000));
                    case 7 -> { if (rnd.nextInt(4) == 0) restart(); else finishOne(true); }
                    default -> crashOne();
                }
            }
            drain();
            assertThat(store).as("nothing left in flight").isEmpty();
            assertThat(running).as("no call left running").isEmpty();
            for (final String id : arrived) {
                assertThat(terminals.get(id)).as("terminal records of " + id).isEqualTo(1);
            }
        }

        private void arrive() {
            final String id = "r" + rnd.nextInt(12);
            final String target = TARGETS.get(rnd.nextInt(TARGETS.size()));
            final String timing = rnd.nextBoolean() ? "" : ",\"timeoutMs\":" + (1 + rnd.nextInt(60_000));
            final List<String> policies = POLICIES.get(target);
            final String policy = rnd.nextBoolean() ? "" : ",\"policy\":" + policies.get(rnd.nextInt(policies.size()));
            final String json = "{\"id\":\"" + id + "\",\"target\":\"" + target + "\",\"payload\":{\"q\":" + rnd.nextInt(3) + "}" + timing
                    + policy + "}";
            final ParseResult parsed = parser.parse(json.getBytes(StandardCharsets.UTF_8), now);
            final AgentRequest request = ((ParseResult.Valid) parsed).request();
            if (terminals.containsKey(id) || store.containsKey(id)) {
                return; // answered from dedup, or a duplicate of one in flight: never a second call
            }
            arrived.add(id);
            handle(id, null, new Event.Arrived("key-" + id, request, new Source("agent-calls", 0, rnd.nextInt(1000))), () ->
                    InFlightEntry.first("key-" + id, request, now, null));
        }

        private void finishOne(final boolean stale) {
            if (running.isEmpty()) {
                return;
            }
            final List<String> ids = new ArrayList<>(running.keySet());
            final String id = ids.get(rnd.nextInt(ids.size()));
            // a stale outcome: an earlier attempt's call, whose outcome arrives after the request moved on
            final int attempt = stale ? running.get(id)[0] - 1 : running.remove(id)[0];
            final String target = stale ? runningTarget.get(id) : runningTarget.remove(id);
            now = now.plusMillis(rnd.nextInt(500));
            final CallOutcome outcome = randomOutcome();
            final TargetRetryState state = states.computeIfAbsent(target, t -> TargetRetryState.initial(5))
                    .onOutcome(now, outcome instanceof CallOutcome.Failed f ? Optional.of(f.classification().category()) : Optional.empty());
            states.put(target, state);
            final InFlightEntry entry = store.get(id);
            handle(id, entry, new Event.CallFinished(target, attempt, outcome, state), () -> entry);
        }

        private CallOutcome randomOutcome() {
            if (rnd.nextInt(3) == 0) {
                return new CallOutcome.Success(200, Json.MAPPER.createObjectNode().put("answer", rnd.nextInt()), now, 5);
            }
            final ErrorCategory c = FAILURES[rnd.nextInt(FAILURES.length)];
            final Optional<Duration> hint = rnd.nextInt(4) == 0 ? Optional.of(Duration.ofSeconds(rnd.nextInt(90))) : Optional.empty();
            return new CallOutcome.Failed(new Classification(c, 500, "failed: " + c, hint), now, 5);
        }

        private void fireEarliest() {
            if (timers.isEmpty()) {
                return;
            }
            timers.sort(Comparator.comparing(t -> (Instant) t[2]));
            final Object[] t = timers.remove(0);
            if (((Instant) t[2]).isAfter(now)) {
                now = (Instant) t[2];
            }
            final InFlightEntry entry = store.get((String) t[0]);
            handle((String) t[0], entry, new Event.TimerDue((Integer) t[1], (Instant) t[2]), () -> entry);
        }

        /** A crash and restart: running calls are gone; stored entries and timers come back; running entries resume. */
        private void restart() {
            running.clear();
            runningTarget.clear();
            for (final String id : new ArrayList<>(store.keySet())) {
                final InFlightEntry entry = store.get(id);
                if (entry != null) {
                    handle(id, entry, new Event.Resumed(), () -> entry);
                }
            }
        }

        private void crashOne() {
            if (store.isEmpty()) {
                return;
            }
            final List<String> ids = new ArrayList<>(store.keySet());
            final String id = ids.get(rnd.nextInt(ids.size()));
            crash(id, store.get(id));
        }

        private void drain() {
            injectFaults = false;
            for (int i = 0; i < 100_000 && (!store.isEmpty() || !running.isEmpty()); i++) {
                if (!running.isEmpty()) {
                    finishOne(false);
                } else if (!timers.isEmpty()) {
                    fireEarliest();
                } else {
                    fail("entries " + store.keySet() + " are neither running nor waiting for a timer: nothing would ever end them");
                }
            }
        }

        /** CallProcessor.handle: the lifecycle's steps, executed; an exception dead-letters this request only. */
        private void handle(final String id, final InFlightEntry entry, final Event event, final Supplier<InFlightEntry> known) {
            final List<Step> steps = lifecycle.next(entry, event, now, env);
            if (entry == null && !(event instanceof Event.Arrived)) {
                assertThat(steps).as("an ended request ignores " + event).isEmpty();
            }
            try {
                execute(id, steps);
            } catch (final InjectedFault e) {
                crash(id, store.getOrDefault(id, known.get()));
            }
        }

        private void crash(final String id, final InFlightEntry entry) {
            running.remove(id);
            runningTarget.remove(id);
            if (entry == null || terminals.containsKey(id)) {
                return;
            }
            final boolean was = injectFaults;
            injectFaults = false;
            execute(id, lifecycle.next(entry, new Event.Crashed("InjectedFault"), now, env));
            injectFaults = was;
        }

        private void execute(final String id, final List<Step> steps) {
            for (final Step step : steps) {
                if (injectFaults && rnd.nextInt(50) == 0) {
                    throw new InjectedFault();
                }
                if (step instanceof Step.Call c) {
                    assertThat(terminals).as("a call after the terminal record of " + id).doesNotContainKey(id);
                    withinPolicy(c);
                    assertThat(running).as("a second call of " + id + " while one runs").doesNotContainKey(id);
                    store.put(id, c.entry());
                    final int draw = rnd.nextInt(10);
                    if (draw == 0) {
                        final Admission.Why why = rnd.nextBoolean() ? Admission.Why.CIRCUIT : Admission.Why.DISABLED;
                        execute(id, lifecycle.next(c.entry(), new Event.NotAdmitted(new Admission.Defer(now.plusSeconds(1 + rnd.nextInt(30)),
                                "refused by the model", why)), now, env));
                    } else if (draw == 1) {
                        execute(id, lifecycle.next(c.entry(), new Event.Busy("room at the target"), now, env));
                    } else {
                        assertThat(c.timeout()).isPositive();
                        running.put(id, new int[] {c.entry().attempt()});
                        runningTarget.put(id, c.target());
                    }
                } else if (step instanceof Step.Wait w) {
                    if (w.entry().deadline() != null) {
                        assertThat(w.entry().dueAt()).as("waiting past the deadline").isBeforeOrEqualTo(w.entry().deadline());
                    }
                    store.put(id, w.entry());
                    timers.add(new Object[] {id, w.entry().attempt(), w.entry().dueAt()});
                } else if (step instanceof Step.Terminal t) {
                    assertThat(terminals).as("a second terminal record for " + id).doesNotContainKey(id);
                    statesPolicy(t);
                    assertThat(Json.text(t.record())).isNotBlank();
                    terminals.put(id, 1);
                    store.remove(id);
                } else if (step instanceof Step.CancelCall) {
                    running.remove(id);
                    runningTarget.remove(id);
                } else if (step instanceof Step.Remember r) {
                    cache.put(r.primary() + "/" + r.cacheKey(), new Env.Cached(r.response(), r.httpStatus()));
                }
            }
        }
    }

    /** A call the request's policy allows: its attempt of the target, its timeout, its fallback step. */
    private static void withinPolicy(final Step.Call c) {
        final JsonNode policy = c.entry().request().path("policy");
        if (policy.has("timeoutMs")) {
            assertThat(c.timeout().toMillis()).as("the call's timeout").isLessThanOrEqualTo(policy.get("timeoutMs").asLong());
        }
        if (c.entry().stage() == 0 && policy.has("maxAttempts")) {
            assertThat(c.entry().stageAttempt()).as("attempts of the target").isLessThanOrEqualTo(policy.get("maxAttempts").asInt());
        }
        if (c.entry().stage() > 0 && policy.path("fallback").isArray()) {
            final String allowed = policy.get("fallback").toString(); // step 1, backup, is the chain's only target
            assertThat(allowed.contains("1") || allowed.contains("\"backup\"")).as("step %s called under %s", c.entry().stage(), allowed).isTrue();
        }
        assertThat(c.entry().stage() == 0 || !policy.path("fallback").isBoolean() || policy.get("fallback").asBoolean())
                .as("a fallback step of a request that allows none").isTrue();
    }

    /** A terminal record of a request that ran states its policy, and a fallback answer comes from a step it allowed. */
    private static void statesPolicy(final Step.Terminal t) {
        final JsonNode record = Json.MAPPER.valueToTree(t.record());
        if ("UNKNOWN_TARGET".equals(record.path("reason").asText())) {
            return;
        }
        assertThat(record.path("policy").isObject()).as("the policy of %s", record).isTrue();
        if ("FALLBACK".equals(record.path("outcome").asText())) {
            assertThat(record.at("/policy/fallback").toString()).contains("\"" + record.path("servedBy").asText() + "\"");
        }
    }

    /** A fault injected while a step executes. */
    private static final class InjectedFault extends RuntimeException {
    }
}
