package dev.rebound.execute;

import dev.rebound.lifecycle.CallOutcome;

import dev.rebound.config.RecoveryPolicy;
import dev.rebound.config.TargetConfig;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Runs one health check of a target, asynchronously (the owner's stream thread never waits on
 * it): a GET of its {@code healthUrl}, where any 2xx passes, or its {@code probe} request posted
 * to the target itself through the target's own executor (URL and headers from the
 * configuration), where a success passes. The future never completes exceptionally.
 */
public final class HealthChecker {

    /** The prefix of the {@code Idempotency-Key} a probe call carries; each check adds its own number, so no two are alike. */
    public static final String PROBE_ID = "rebound-health-check";
    /** A health answer's body is not needed; at most this much of it is read before the connection is closed. */
    private static final int MAX_HEALTH_BODY = 64 * 1024;

    /** What one check saw. */
    public record Result(String target, boolean passed, String detail) {
    }

    private final Function<String, TargetExecutor> executors;
    private final Supplier<HttpClient> client;
    private final AtomicLong checks = new AtomicLong();

    public HealthChecker(final Function<String, TargetExecutor> executors, final Supplier<HttpClient> client) {
        this.executors = executors;
        this.client = client;
    }

    public CompletableFuture<Result> check(final TargetConfig target, final RecoveryPolicy r) {
        try {
            if (r.healthUrl().isPresent()) {
                return get(target.name(), r.healthUrl().get(), r);
            }
            final byte[] body = r.probe().orElseThrow().toString().getBytes(StandardCharsets.UTF_8);
            final String key = PROBE_ID + "-" + target.name() + "-" + System.currentTimeMillis() + "-" + checks.incrementAndGet();
            return executors.apply(target.name()).call(new CallSpec(key, target.name(), 1, body, r.timeout()))
                    .thenApply(o -> o instanceof CallOutcome.Success s
                            ? new Result(target.name(), true, "probe answered HTTP " + s.status())
                            : new Result(target.name(), false, "probe failed: " + ((CallOutcome.Failed) o).classification().category()
                            + httpStatus(((CallOutcome.Failed) o).classification().httpStatus())));
        } catch (final RuntimeException e) {
            return CompletableFuture.completedFuture(new Result(target.name(), false, "check could not start: " + e.getMessage()));
        }
    }

    /**
     * A GET of the health URL that ends within the policy's timeout, body included: a health
     * endpoint that stalls after its headers must not keep the target's checks (and so its
     * recovery) waiting for ever.
     */
    private CompletableFuture<Result> get(final String target, final URI url, final RecoveryPolicy r) {
        final HttpRequest request = HttpRequest.newBuilder(url).timeout(r.timeout()).GET().build();
        final CompletableFuture<HttpResponse<BoundedBody.Body>> sent;
        try {
            sent = BoundedBody.send(client.get(), request, MAX_HEALTH_BODY, r.timeout());
        } catch (final RuntimeException e) {
            return CompletableFuture.completedFuture(new Result(target, false, "GET " + url.getPath() + ": " + e.getMessage()));
        }
        return sent.handle((response, error) -> {
            if (error != null) {
                return new Result(target, false, "GET " + url.getPath() + ": no answer (" + error.getClass().getSimpleName() + ")");
            }
            final int status = response.statusCode();
            return new Result(target, status / 100 == 2, "GET " + url.getPath() + ": HTTP " + status);
        });
    }

    private static String httpStatus(final Integer status) {
        return status == null ? "" : " (HTTP " + status + ")";
    }
}
