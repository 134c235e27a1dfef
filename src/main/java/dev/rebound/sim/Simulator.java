package dev.rebound.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.rebound.http.HttpServers;
import dev.rebound.request.Json;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.StringJoiner;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static dev.rebound.sim.SimExchanges.error;

/**
 * A small HTTP server that behaves like an LLM or tool API, for the demo, the tests and the
 * benchmarks. It answers {@code POST /v1/chat} by its {@link SimScenario}, and a request can
 * script its own fate through a {@code simulate} object in its payload:
 * <pre>
 *   {"simulate": {"status": 503}}                  always this status (with a provider-style body)
 *   {"simulate": {"status": 503, "failTimes": 2}}  this status for attempts 1..2, then success
 *   {"simulate": {"latencyMs": 200}}               this latency
 *   {"simulate": {"reset": true}}                  close the connection without answering
 *   {"simulate": {"hang": true}}                   answer only after the client has given up
 *   {"simulate": {"stallBody": true}}              one of the {@link Misbehaviour}s, by its script name
 *   {"simulate": {"echo": ["anthropic-version"]}}  repeat these request headers' values in the answer
 * </pre>
 * {@code failTimes} limits any scripted fate to the first attempts; later attempts succeed. An
 * echoed header appears in a success's content and {@code echo} object, and at the end of an
 * error's message, as {@code name: value}: what a provider does that quotes a bad API key back.
 * {@code POST /v1/backup} is a second, healthy provider (the scenario does not touch it), for
 * fallback chains. {@code GET /health} is 200, or 503 during an outage; {@code GET /stats} counts calls.
 * {@code GET /scenario} names the scenario; {@code POST /scenario} with {@code {"scenario": "outage"}}
 * switches to another while it runs (its clock starts over, so a recovery's outage starts then).
 * Every call's {@code Idempotency-Key} is counted, so callers can see repeated calls. A scenario
 * {@link SimScenario#withProviderLimit with a provider limit} first refuses chat calls over it, as a
 * provider does ({@link ProviderLimiter}), and counts them ({@link #providerLimitStats()}, {@code /stats}).
 *
 * <p>Threads: requests are read on a small pool and every answer is scheduled on a timer, so
 * latency costs no thread; large bodies are written on threads of their own and stalled exchanges
 * hold none ({@link BrokenAnswers}), so no misbehaving call can starve the others.
 */
public final class Simulator implements AutoCloseable {

    private static final Duration HANG = Duration.ofSeconds(60);

    private final HttpServer server;
    private final ExecutorService threads;
    private final ScheduledExecutorService timers;
    private final ExecutorService writers;
    private final BrokenAnswers broken;
    /** The scenario now; switched while the simulator runs ({@link #switchTo}), read once per call. */
    private final AtomicReference<SimScenario> scenario;
    /** Where the scenario's clock starts (its outage window is relative to it). */
    private final AtomicLong startedNanos = new AtomicLong(System.nanoTime());
    private final SplittableRandom seed;
    private final AtomicLong calls = new AtomicLong();
    private final AtomicLong backupCalls = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong lastCallAtMs = new AtomicLong();
    /** An outage started on demand ({@link #outageFor}): its end in {@code System.nanoTime} terms, or 0. */
    private final AtomicLong outageUntilNanos = new AtomicLong();
    private final AtomicInteger rateLimitHint = new AtomicInteger();
    private final Map<String, AtomicInteger> callsPerKey = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> callsPerAttempt = new ConcurrentHashMap<>();
    private final Map<Misbehaviour, AtomicLong> misbehaved = new EnumMap<>(Misbehaviour.class);
    /** The scenario's provider limit at start, enforced on every chat call before anything else. */
    private final Optional<ProviderLimiter> limiter;

    private Simulator(final HttpServer server, final ExecutorService threads, final ScheduledExecutorService timers,
                      final ExecutorService writers, final SimScenario scenario, final long seed) {
        this.server = server;
        this.threads = threads;
        this.timers = timers;
        this.writers = writers;
        this.broken = new BrokenAnswers(writers, timers, scenario.oversizedBytes());
        this.scenario = new AtomicReference<>(scenario);
        this.seed = new SplittableRandom(seed);
        this.limiter = scenario.providerLimit().map(l -> new ProviderLimiter(l, System::nanoTime));
        for (final Misbehaviour m : Misbehaviour.values()) {
            misbehaved.put(m, new AtomicLong());
        }
    }

    /** Starts on 127.0.0.1; port 0 picks a free port. */
    public static Simulator start(final int port, final SimScenario scenario, final long seed) throws IOException {
        final HttpServer server = HttpServers.create(new InetSocketAddress("127.0.0.1", port), 1024);
        final AtomicInteger n = new AtomicInteger();
        final ThreadFactory daemons = r -> {
            final Thread t = new Thread(r, "simulator-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        final ExecutorService threads = Executors.newFixedThreadPool(4, daemons);
        final ScheduledExecutorService timers = Executors.newScheduledThreadPool(2, daemons);
        // unbounded, but a writer exists only while a large body is being written to a live client
        final ExecutorService writers = Executors.newCachedThreadPool(daemons);
        server.setExecutor(threads);
        final Simulator sim = new Simulator(server, threads, timers, writers, scenario, seed);
        server.createContext("/v1/chat", sim::chat);
        server.createContext("/v1/backup", sim::backup);
        server.createContext("/health", sim::health);
        server.createContext("/stats", sim::stats);
        server.createContext("/scenario", new ScenarioEndpoint(sim));
        server.start();
        return sim;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String url(final String path) {
        return "http://127.0.0.1:" + port() + path;
    }

    /** Calls received on {@code /v1/chat}. */
    public long calls() {
        return calls.get();
    }

    /** Calls received on {@code /v1/backup}. */
    public long backupCalls() {
        return backupCalls.get();
    }

    /** When the last call arrived (epoch ms), or 0. */
    public long lastCallAtMs() {
        return lastCallAtMs.get();
    }

    /** Calls received with this {@code Idempotency-Key}. */
    public int calls(final String idempotencyKey) {
        final AtomicInteger n = callsPerKey.get(idempotencyKey);
        return n == null ? 0 : n.get();
    }

    /** Calls received with this {@code Idempotency-Key} and this {@code X-Rebound-Attempt}. */
    public int calls(final String idempotencyKey, final int attempt) {
        final AtomicInteger n = callsPerAttempt.get(idempotencyKey + "#" + attempt);
        return n == null ? 0 : n.get();
    }

    /** How many calls got each {@link Misbehaviour}, by its script name; only those that happened. */
    public Map<String, Long> misbehaved() {
        final Map<String, Long> out = new LinkedHashMap<>();
        misbehaved.forEach((m, n) -> {
            if (n.get() > 0) {
                out.put(m.scriptName(), n.get());
            }
        });
        return out;
    }

    /** What the provider limit has accepted and refused so far; empty when the simulator enforces none. */
    public Optional<ProviderLimitStats> providerLimitStats() {
        return limiter.map(ProviderLimiter::stats);
    }

    /** Exchanges held open right now: stalled bodies and requests never answered. */
    public int heldOpen() {
        return broken.held();
    }

    /** Idempotency keys that were called more than once. */
    public long repeatedKeys() {
        return callsPerKey.values().stream().filter(c -> c.get() > 1).count();
    }

    /** Restarts the scenario's clock: its outage window starts over from now (the demo calls it when its load begins). */
    public void restartScenarioClock() {
        startedNanos.set(System.nanoTime());
    }

    /** The scenario the simulator plays now. */
    public SimScenario scenario() {
        return scenario.get();
    }

    /**
     * Plays {@code next} from now on, with this simulator's oversized-body size and provider limit,
     * and restarts the scenario clock: switching to {@code recovery} starts its outage now. Calls
     * already waiting for their answer keep the fate they drew.
     */
    public void switchTo(final SimScenario next) {
        scenario.set(scenario.get().keptIn(next));
        restartScenarioClock();
    }

    /** Starts an outage now, on top of the scenario's: every chat call gets 503 and /health reports 503 for {@code d}. */
    public void outageFor(final Duration d) {
        outageUntilNanos.set(System.nanoTime() + d.toNanos());
    }

    public boolean inOutage() {
        return inOutage(scenario.get());
    }

    private boolean inOutage(final SimScenario scenario) {
        if (outageUntilNanos.get() != 0 && System.nanoTime() - outageUntilNanos.get() < 0) {
            return true;
        }
        final Duration elapsed = Duration.ofNanos(System.nanoTime() - startedNanos.get());
        return scenario.outageLength().compareTo(Duration.ZERO) > 0
                && elapsed.compareTo(scenario.outageStart()) >= 0
                && elapsed.compareTo(scenario.outageStart().plus(scenario.outageLength())) < 0;
    }

    private void chat(final HttpExchange ex) {
        calls.incrementAndGet();
        lastCallAtMs.set(System.currentTimeMillis());
        final String key = ex.getRequestHeaders().getFirst("Idempotency-Key");
        final int attempt = parseInt(ex.getRequestHeaders().getFirst("X-Rebound-Attempt"), 1);
        if (key != null) {
            callsPerKey.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
            callsPerAttempt.computeIfAbsent(key + "#" + attempt, k -> new AtomicInteger()).incrementAndGet();
        }
        final byte[] raw = SimExchanges.readBytes(ex.getRequestBody());
        final JsonNode body = SimExchanges.parse(raw);
        if (limiter.isPresent() && !limiter.get().admit(ex, body, raw.length)) {
            failures.incrementAndGet();
            return;
        }
        final JsonNode script = body.path("simulate");
        final SplittableRandom random;
        synchronized (seed) {
            random = seed.split();
        }
        // latency is a timer, not a sleeping thread: thousands of slow calls cost no threads
        final Duration latency = script.isObject() ? Duration.ofMillis(script.path("latencyMs").asLong(0)) : latency(scenario.get(), random);
        timers.schedule(() -> answer(ex, script, random, key, attempt), latency.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void backup(final HttpExchange ex) {
        backupCalls.incrementAndGet();
        final String key = ex.getRequestHeaders().getFirst("Idempotency-Key");
        final int attempt = parseInt(ex.getRequestHeaders().getFirst("X-Rebound-Attempt"), 1);
        SimExchanges.readBody(ex.getRequestBody());
        final SplittableRandom random;
        synchronized (seed) {
            random = seed.split();
        }
        timers.schedule(() -> {
            try {
                success(ex, key, attempt, Map.of());
            } catch (final IOException | RuntimeException e) {
                ex.close();
            }
        }, latency(scenario.get(), random).toMillis(), TimeUnit.MILLISECONDS);
    }

    private void answer(final HttpExchange ex, final JsonNode script, final SplittableRandom random, final String key,
                        final int attempt) {
        try {
            final SimScenario now = scenario.get();
            final SimFate fate = script.isObject() ? SimFate.scripted(script, attempt) : SimFate.drawn(now, inOutage(now), random);
            final Map<String, String> echo = echo(ex, script);
            if (fate.misbehaviour().isPresent()) {
                failures.incrementAndGet();
                misbehaved.get(fate.misbehaviour().get()).incrementAndGet();
                broken.answer(ex, fate.misbehaviour().get());
                return;
            }
            switch (fate) {
                case SUCCESS -> success(ex, key, attempt, echo);
                case RESET -> {
                    failures.incrementAndGet();
                    ex.close(); // closing unanswered drops the connection
                }
                case HANG -> {
                    failures.incrementAndGet();
                    timers.schedule(ex::close, HANG.toMillis(), TimeUnit.MILLISECONDS);
                }
                default -> failure(ex, fate.status(), echo);
            }
        } catch (final IOException | RuntimeException e) {
            ex.close();
        }
    }

    /** The request headers a script asks to see repeated in the answer, with their values as received. */
    private static Map<String, String> echo(final HttpExchange ex, final JsonNode script) {
        final Map<String, String> echo = new LinkedHashMap<>();
        for (final JsonNode name : script.path("echo")) {
            final String value = ex.getRequestHeaders().getFirst(name.asText());
            if (value != null) {
                echo.put(name.asText(), value);
            }
        }
        return echo;
    }

    private static Duration latency(final SimScenario scenario, final SplittableRandom random) {
        final long min = scenario.latencyMin().toMillis();
        final long max = scenario.latencyMax().toMillis();
        return Duration.ofMillis(max > min ? random.nextLong(min, max + 1) : min);
    }

    private void success(final HttpExchange ex, final String key, final int attempt, final Map<String, String> echo) throws IOException {
        final ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("id", "sim-" + calls.get());
        out.put("object", "chat.completion");
        out.putArray("choices").addObject().putObject("message").put("role", "assistant")
                .put("content", "Simulated answer." + echoed(echo));
        out.put("idempotencyKey", key);
        out.put("attempt", attempt);
        if (!echo.isEmpty()) {
            final ObjectNode headers = out.putObject("echo");
            echo.forEach(headers::put);
        }
        SimExchanges.send(ex, 200, out.toString());
    }

    /** " (name: value, ...)" for the echoed headers, or "". */
    private static String echoed(final Map<String, String> echo) {
        if (echo.isEmpty()) {
            return "";
        }
        final StringJoiner j = new StringJoiner(", ", " (", ")");
        echo.forEach((name, value) -> j.add(name + ": " + value));
        return j.toString();
    }

    private void failure(final HttpExchange ex, final int status, final Map<String, String> echo) throws IOException {
        failures.incrementAndGet();
        switch (status) {
            case 429 -> {
                // rotate through the hint styles providers use
                switch (rateLimitHint.getAndIncrement() % 3) {
                    case 0 -> ex.getResponseHeaders().add("retry-after-ms", "1500");
                    case 1 -> ex.getResponseHeaders().add("Retry-After",
                            DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(2)));
                    default -> ex.getResponseHeaders().add("x-ratelimit-reset-requests", "1s");
                }
                SimExchanges.send(ex, 429, error("Rate limit reached for requests. Please try again in 1s." + echoed(echo), "requests",
                        "rate_limit_exceeded"));
            }
            case 529 -> {
                final ObjectNode out = Json.MAPPER.createObjectNode().put("type", "error");
                out.putObject("error").put("type", "overloaded_error").put("message", "Overloaded" + echoed(echo));
                SimExchanges.send(ex, 529, out.toString());
            }
            case 400 -> SimExchanges.send(ex, 400, error("This model's maximum context length is 8192 tokens." + echoed(echo), "invalid_request_error",
                    "context_length_exceeded"));
            case 401 -> SimExchanges.send(ex, 401, error("Incorrect API key provided." + echoed(echo), "invalid_request_error", "invalid_api_key"));
            default -> SimExchanges.send(ex, status, error("The server had an error while processing your request." + echoed(echo), "server_error", null));
        }
    }

    private void health(final HttpExchange ex) throws IOException {
        try (ex) {
            SimExchanges.send(ex, inOutage() ? 503 : 200, "{\"healthy\":" + !inOutage() + "}");
        }
    }

    private void stats(final HttpExchange ex) throws IOException {
        try (ex) {
            SimExchanges.send(ex, 200, "{\"calls\":" + calls.get() + ",\"backupCalls\":" + backupCalls.get() + ",\"failures\":" + failures.get()
                    + ",\"repeatedKeys\":" + repeatedKeys() + ",\"misbehaved\":" + Json.text(misbehaved())
                    + ",\"heldOpen\":" + heldOpen() + ",\"scenario\":\"" + scenario.get().name() + "\""
                    + limiter.map(l -> ",\"providerLimit\":" + l.stats().toJson()).orElse("") + "}");
        }
    }

    private static int parseInt(final String s, final int fallback) {
        try {
            return s == null ? fallback : Integer.parseInt(s.trim());
        } catch (final NumberFormatException e) {
            return fallback;
        }
    }

    @Override
    public void close() {
        broken.close();
        server.stop(0);
        timers.shutdownNow();
        threads.shutdownNow();
        writers.shutdownNow();
    }
}
