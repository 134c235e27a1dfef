package dev.rebound.execute;

import dev.rebound.lifecycle.CallOutcome;
import dev.rebound.ratelimit.ProviderWord;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.rebound.classify.Classification;
import dev.rebound.classify.ErrorCategory;
import dev.rebound.classify.ErrorClassifier;
import dev.rebound.classify.Failure;
import dev.rebound.config.ConfigException;
import dev.rebound.config.TargetConfig;
import dev.rebound.request.Json;

import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * Calls a configured HTTP target with {@link HttpClient#sendAsync}. The URL, method and headers
 * come only from {@link TargetConfig}; every call adds {@code Idempotency-Key} (the request id) and
 * {@code X-Rebound-Attempt}, so a target can recognise the repeat of a call that Rebound made
 * before a crash. Redirects are never followed: a redirect could lead a call (and its credentials)
 * off the allow-list.
 *
 * <p>This is the adapter that catches broadly: whatever goes wrong becomes a classified outcome.
 */
public final class HttpTargetExecutor implements TargetExecutor {

    public static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    public static final String ATTEMPT_HEADER = "X-Rebound-Attempt";

    private final TargetConfig target;
    private final HttpClient client;
    private final ErrorClassifier classifier;
    private final UnaryOperator<String> redact;
    private final int maxResponseBytes;
    private final Clock clock;

    public HttpTargetExecutor(final TargetConfig target, final HttpClient client, final ErrorClassifier classifier,
                              final UnaryOperator<String> redact, final int maxResponseBytes, final Clock clock) {
        if (target.url().isEmpty()) {
            throw new IllegalArgumentException("target " + target.name() + " has no url");
        }
        this.target = target;
        this.client = client;
        this.classifier = classifier;
        this.redact = redact;
        this.maxResponseBytes = maxResponseBytes;
        this.clock = clock;
        validateHeaders();
    }

    /** Threads of the default client's pool at most: as many as the calls a default target has in flight. */
    static final int CLIENT_THREADS = 64;

    /**
     * A client suitable for every target: no redirects, a short connect timeout, and up to
     * {@link #CLIENT_THREADS} daemon threads for the client's asynchronous tasks (named, so that
     * they can be told apart), which end after a minute idle. A fixed pool of 4 was used before:
     * with 64 calls in flight the client's tasks queued behind each other and a 50 ms answer took
     * 61 ms at the median instead of 52 (the {@code concurrency} benchmark's probe, same JVM and
     * target). Unbounded, as the JDK's default pool is, the threads parsing and classifying answers
     * could outnumber, and so starve, the stream threads when the cores are saturated.
     */
    public static HttpClient defaultClient() {
        final AtomicInteger n = new AtomicInteger();
        final ThreadPoolExecutor pool = new ThreadPoolExecutor(CLIENT_THREADS, CLIENT_THREADS, 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    final Thread t = new Thread(r, "rebound-http-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        return HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(10))
                .executor(pool)
                .build();
    }

    /**
     * Starts the call. The returned future always completes, normally, within the spec's timeout
     * (plus a little scheduling slack), whatever the target does: {@link BoundedBody#send} bounds
     * the whole exchange, body included, and reads no more than {@code limits.maxResponseBytes}.
     */
    @Override
    public CompletableFuture<CallOutcome> call(final CallSpec spec) {
        final Instant started = clock.instant();
        final long t0 = System.nanoTime();
        final CompletableFuture<HttpResponse<BoundedBody.Body>> sent;
        try {
            sent = BoundedBody.send(client, request(spec), maxResponseBytes, spec.timeout());
        } catch (final RuntimeException e) {
            return CompletableFuture.completedFuture(fromError(e, started, millisSince(t0)));
        }
        // off the JDK's single timer thread, which completes a timed-out call: a burst of timeouts must not delay every other timer
        return sent.handleAsync((response, error) -> {
            if (error != null) {
                return fromError(error, started, millisSince(t0));
            }
            try {
                return fromResponse(response, started, millisSince(t0));
            } catch (final RuntimeException e) {
                return fromError(e, started, millisSince(t0));
            }
        }, client.executor().orElse(ForkJoinPool.commonPool()));
    }

    private HttpRequest request(final CallSpec spec) {
        final HttpRequest.Builder b = HttpRequest.newBuilder(target.url().orElseThrow())
                .timeout(spec.timeout())
                .method(target.method(), HttpRequest.BodyPublishers.ofByteArray(spec.body()))
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .header(IDEMPOTENCY_KEY, spec.requestId())
                .header(ATTEMPT_HEADER, Integer.toString(spec.attempt()));
        if ("http".equals(target.url().orElseThrow().getScheme())) {
            // plain http: no h2c upgrade dance on every new connection (HTTP/2 stays on for https via ALPN)
            b.version(HttpClient.Version.HTTP_1_1);
        }
        target.headers().forEach(b::header);
        return b.build();
    }

    private CallOutcome fromResponse(final HttpResponse<BoundedBody.Body> response, final Instant started, final long durationMs) {
        final BoundedBody.Body body = response.body();
        final byte[] raw = body == null ? new byte[0] : body.bytes();
        final int status = response.statusCode();
        final boolean ok = status >= 200 && status < 300;
        if (ok && body != null && body.truncated()) {
            return tooLarge(status, "answered HTTP " + status + " with more than limits.maxResponseBytes (" + maxResponseBytes
                    + " bytes); the rest was not read", started, durationMs);
        }
        final String text = new String(raw, StandardCharsets.UTF_8);
        // what the provider says of its limits tightens the cluster-wide rate limit, whatever the status
        final ProviderWord word = ProviderWord.from(status, response.headers().map(), clock.instant());
        if (ok) {
            // secrets in an answer are masked value by value where the result is written (Terminals)
            return new CallOutcome.Success(status, body(text), started, durationMs, word);
        }
        final Classification c = classifier.classify(new Failure.Http(status, response.headers().map(), redact.apply(text)),
                clock.instant());
        return new CallOutcome.Failed(c, started, durationMs, word);
    }

    /** A healthy target's answer that Rebound cannot carry: its own category, not retried, not held against the circuit. */
    public static CallOutcome.Failed tooLarge(final int status, final String message, final Instant started, final long durationMs) {
        return new CallOutcome.Failed(new Classification(ErrorCategory.RESPONSE_TOO_LARGE, status, message, Optional.empty()),
                started, durationMs);
    }

    private static Throwable unwrap(final Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }

    private CallOutcome fromError(final Throwable error, final Instant started, final long durationMs) {
        final Throwable cause = unwrap(error);
        final Failure.TransportKind kind;
        if (cause instanceof HttpTimeoutException) {
            kind = Failure.TransportKind.TIMEOUT;
        } else if (cause instanceof ConnectException) {
            kind = Failure.TransportKind.CONNECT;
        } else if (cause instanceof IOException) {
            kind = Failure.TransportKind.RESET;
        } else {
            kind = Failure.TransportKind.OTHER;
        }
        final String message = cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
        return new CallOutcome.Failed(classifier.classify(new Failure.Transport(kind, message), clock.instant()), started, durationMs);
    }

    private static JsonNode body(final String text) {
        if (text.isBlank()) {
            return TextNode.valueOf("");
        }
        try {
            return Json.DOOR.readTree(text);
        } catch (final IOException notJson) {
            return TextNode.valueOf(text);
        }
    }

    /** Fails start-up, naming the field, when a configured header is one HttpClient refuses to send. */
    private void validateHeaders() {
        for (final String name : target.headers().keySet()) {
            try {
                HttpRequest.newBuilder(target.url().orElseThrow()).header(name, "x");
            } catch (final IllegalArgumentException e) {
                throw new ConfigException("targets." + target.name() + ".headers." + name,
                        "cannot be set by configuration (" + e.getMessage().toLowerCase(Locale.ROOT) + ")");
            }
        }
    }

    private static long millisSince(final long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }
}
