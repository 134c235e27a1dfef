package dev.rebound.execute;

import dev.rebound.config.RecoveryPolicy;
import dev.rebound.config.TargetConfig;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Runs one health check of a target, asynchronously (the owner's stream thread never waits on
 * it): a GET of its {@code healthUrl}, where any 2xx passes, or its {@code probe} request posted
 * to the target itself through the target's own executor (URL and headers from the
 * configuration), where a success passes. The future never completes exceptionally.
 */
public final class HealthChecker {

    /** The request id a probe call carries as its {@code Idempotency-Key}. */
    public static final String PROBE_ID = "rebound-health-check";

    /** What one check saw. */
    public record Result(String target, boolean passed, String detail) {
    }

    private final Function<String, TargetExecutor> executors;
    private final Supplier<HttpClient> client;

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
            return executors.apply(target.name()).call(new CallSpec(PROBE_ID, target.name(), 1, body, r.timeout()))
                    .thenApply(o -> o instanceof CallOutcome.Success s
                            ? new Result(target.name(), true, "probe answered HTTP " + s.status())
                            : new Result(target.name(), false, "probe failed: " + ((CallOutcome.Failed) o).classification().category()
                            + httpStatus(((CallOutcome.Failed) o).classification().httpStatus())));
        } catch (final RuntimeException e) {
            return CompletableFuture.completedFuture(new Result(target.name(), false, "check could not start: " + e.getMessage()));
        }
    }

    private CompletableFuture<Result> get(final String target, final URI url, final RecoveryPolicy r) {
        final HttpRequest request = HttpRequest.newBuilder(url).timeout(r.timeout()).GET().build();
        return client.get().sendAsync(request, HttpResponse.BodyHandlers.discarding())
                .handle((response, error) -> {
                    if (error != null) {
                        final Throwable cause = error.getCause() == null ? error : error.getCause();
                        return new Result(target, false, "GET " + url.getPath() + ": no answer (" + cause.getClass().getSimpleName() + ")");
                    }
                    final int status = response.statusCode();
                    return new Result(target, status / 100 == 2, "GET " + url.getPath() + ": HTTP " + status);
                });
    }

    private static String httpStatus(final Integer status) {
        return status == null ? "" : " (HTTP " + status + ")";
    }
}
