package dev.rebound.execute;

import dev.rebound.lifecycle.CallOutcome;

import java.util.concurrent.CompletableFuture;

/**
 * Makes one attempt against one target, asynchronously. Implementations catch every failure and
 * complete with {@link CallOutcome.Failed}; the returned future never completes exceptionally, so
 * the stream thread never has to handle a transport exception.
 */
public interface TargetExecutor {

    CompletableFuture<CallOutcome> call(CallSpec spec);
}
