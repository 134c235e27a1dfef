package dev.rebound.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rebound.classify.ErrorClassifier;
import dev.rebound.classify.Failure;
import dev.rebound.lifecycle.CallOutcome;
import dev.rebound.execute.CallSpec;
import dev.rebound.execute.TargetExecutor;
import dev.rebound.request.Json;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A target whose calls the test finishes by hand, so a topology test decides exactly when and how
 * each attempt ends. It records every call it receives.
 */
public final class ControlledExecutor implements TargetExecutor {

    /** One call received: what was asked and the future the test completes. */
    public record Call(CallSpec spec, CompletableFuture<CallOutcome> future) {
    }

    private static final Instant T0 = Instant.parse("2026-11-29T12:00:00Z");
    private final List<Call> calls = new CopyOnWriteArrayList<>();

    @Override
    public CompletableFuture<CallOutcome> call(final CallSpec spec) {
        final CompletableFuture<CallOutcome> f = new CompletableFuture<>();
        calls.add(new Call(spec, f));
        return f;
    }

    public List<Call> calls() {
        return calls;
    }

    public Call call(final int i) {
        return calls.get(i);
    }

    /** Answers call {@code i} with a 200 and this JSON body. */
    public void succeed(final int i, final String json) {
        calls.get(i).future().complete(new CallOutcome.Success(200, read(json), T0, 12));
    }

    /** Answers call {@code i} with this HTTP error, classified as the real executor would. */
    public void fail(final int i, final int status, final String body) {
        final var c = ErrorClassifier.defaults().classify(new Failure.Http(status, Map.of(), body), T0);
        calls.get(i).future().complete(new CallOutcome.Failed(c, T0, 7));
    }

    /** Answers call {@code i} with a transport failure. */
    public void breakConnection(final int i, final Failure.TransportKind kind) {
        final var c = ErrorClassifier.defaults().classify(new Failure.Transport(kind, kind + " in test"), T0);
        calls.get(i).future().complete(new CallOutcome.Failed(c, T0, 3));
    }

    private static JsonNode read(final String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (final Exception e) {
            throw new IllegalArgumentException(e);
        }
    }
}
