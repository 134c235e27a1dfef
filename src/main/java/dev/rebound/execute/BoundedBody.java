package dev.rebound.execute;

import dev.rebound.time.Durations;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Reads a response body no further than {@code limit} bytes. An answer that goes on past the limit
 * (an endless stream, a multi-megabyte dump) is cut off there: the subscription is cancelled, which
 * closes the exchange, and the body completes as {@link Body#truncated() truncated}. Nothing
 * larger than the limit is ever held in memory.
 *
 * <p>{@link #abort} ends a body that stalls: {@link #send}'s timer calls it when the whole exchange,
 * body included, has run out of time, so that a call's slot is always given back.
 */
final class BoundedBody implements HttpResponse.BodySubscriber<BoundedBody.Body> {

    /**
     * What was read.
     *
     * @param bytes     the body, or its first {@code limit} bytes when truncated
     * @param truncated whether the answer went on past the limit
     */
    record Body(byte[] bytes, boolean truncated) {
    }

    private final int limit;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final CompletableFuture<Body> result = new CompletableFuture<>();
    private volatile Flow.Subscription subscription;

    BoundedBody(final int limit) {
        this.limit = limit;
    }

    /**
     * Sends {@code request} and reads at most {@code limit} bytes of the answer; the returned future
     * ends within {@code timeout}, body included ({@link HttpRequest#timeout} only bounds the wait
     * for the headers). When the time runs out the body read is aborted, the exchange cancelled and
     * the future fails with an {@link HttpTimeoutException} that says whether the headers came.
     * Both the calls and the health checks go through here, so that neither can hold a slot or a
     * check for ever.
     *
     * @throws RuntimeException what {@link HttpClient#sendAsync} throws at once (a bad request)
     */
    static CompletableFuture<HttpResponse<Body>> send(final HttpClient client, final HttpRequest request, final int limit,
                                                      final Duration timeout) {
        final AtomicReference<BoundedBody> reader = new AtomicReference<>();
        final CompletableFuture<HttpResponse<Body>> sent = client.sendAsync(request, handler(limit, reader::set));
        final CompletableFuture<HttpResponse<Body>> bounded = sent.copy();
        bounded.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
        final CompletableFuture<HttpResponse<Body>> result = new CompletableFuture<>();
        bounded.whenComplete((response, error) -> {
            if (error == null) {
                result.complete(response);
                return;
            }
            final Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (!(cause instanceof TimeoutException)) {
                result.completeExceptionally(cause);
                return;
            }
            final BoundedBody body = reader.get();
            if (body != null) {
                body.abort(cause);
            }
            sent.cancel(true);
            result.completeExceptionally(new HttpTimeoutException("no complete answer within " + Durations.format(timeout)
                    + (body == null ? " (no response headers)" : " (the body stalled after the headers)")));
        });
        return result;
    }

    /** A handler that hands each response its own bounded subscriber and reports it to {@code created}. */
    static HttpResponse.BodyHandler<Body> handler(final int limit, final Consumer<BoundedBody> created) {
        return info -> {
            final BoundedBody b = new BoundedBody(limit);
            created.accept(b);
            return b;
        };
    }

    @Override
    public CompletionStage<Body> getBody() {
        return result;
    }

    @Override
    public void onSubscribe(final Flow.Subscription s) {
        subscription = s;
        if (result.isDone()) {
            s.cancel(); // aborted before the body began
        } else {
            s.request(Long.MAX_VALUE);
        }
    }

    @Override
    public void onNext(final List<ByteBuffer> items) {
        if (result.isDone()) {
            return;
        }
        for (final ByteBuffer b : items) {
            final int room = limit - out.size();
            if (b.remaining() > room) {
                final byte[] head = new byte[room];
                b.get(head);
                out.write(head, 0, head.length);
                subscription.cancel();
                result.complete(new Body(out.toByteArray(), true));
                return;
            }
            final byte[] chunk = new byte[b.remaining()];
            b.get(chunk);
            out.write(chunk, 0, chunk.length);
        }
    }

    @Override
    public void onError(final Throwable error) {
        result.completeExceptionally(error);
    }

    @Override
    public void onComplete() {
        result.complete(new Body(out.toByteArray(), false));
    }

    /** Gives up on the body: closes the exchange and completes the read with {@code why}. */
    void abort(final Throwable why) {
        result.completeExceptionally(why);
        final Flow.Subscription s = subscription;
        if (s != null) {
            s.cancel();
        }
    }
}
