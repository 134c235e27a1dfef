package dev.rebound.sim;

import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes the simulator's protocol-breaking answers ({@link Misbehaviour}).
 *
 * <p>None of them holds one of the simulator's threads while it waits: a stalled or unanswered
 * exchange is only remembered, and closed when the simulator closes or after {@link #HOLD_FOR}.
 * (The client normally gives up long before; the server cannot see that without writing to the
 * connection, so "until the client closes" is approximated by "for much longer than any timeout".)
 * Large bodies are written on threads of their own, so a client that stops reading blocks only its
 * own write, never the simulator's timers or the threads that accept requests.
 */
final class BrokenAnswers implements AutoCloseable {

    /** How long a stalled or unanswered exchange is kept open at most. */
    static final Duration HOLD_FOR = Duration.ofMinutes(10);
    /** Kafka's default largest record ({@code message.max.bytes}, {@code max.request.size}). */
    static final int KAFKA_RECORD_BYTES = 1 << 20;
    /** A control character such as U+0001 is one byte on the wire and six characters once JSON-escaped. */
    private static final int ESCAPE_FACTOR = 6;
    private static final int WRITE_CHUNK = 64 << 10;
    private static final String HEAD = "{\"id\":\"sim-broken\",\"object\":\"chat.completion\",\"choices\":[{\"message\":"
            + "{\"role\":\"assistant\",\"content\":\"";
    private static final String TAIL = "\"}}]}";
    private static final byte[] CHALLENGE_PAGE = ("<!DOCTYPE html><html><head><title>Just a moment...</title></head>"
            + "<body><p>Checking your browser before accessing the API.</p></body></html>").getBytes(StandardCharsets.UTF_8);

    private final ExecutorService writers;
    private final ScheduledExecutorService timers;
    private final Set<HttpExchange> held = ConcurrentHashMap.newKeySet();
    private final AtomicLong stalls = new AtomicLong();
    private final byte[] oversized;
    private final byte[] escaped;

    BrokenAnswers(final ExecutorService writers, final ScheduledExecutorService timers, final int oversizedBytes) {
        this.writers = writers;
        this.timers = timers;
        this.oversized = oversizedBody(oversizedBytes);
        this.escaped = escapingBody();
    }

    /** Answers {@code ex} with {@code m}; never blocks on the client. */
    void answer(final HttpExchange ex, final Misbehaviour m) throws IOException {
        switch (m) {
            case STALL_BODY -> stallBody(ex);
            case HEADERS_NEVER -> hold(ex);
            case OVERSIZED -> writers.execute(() -> writeQuietly(ex, "application/json", oversized));
            case OVERSIZED_ESCAPED -> writers.execute(() -> writeQuietly(ex, "application/json", escaped));
            case INVALID_JSON -> writeQuietly(ex, "text/html; charset=utf-8", CHALLENGE_PAGE);
            case RESET_MID_BODY -> resetMidBody(ex);
        }
    }

    /** Exchanges held open right now (stalled bodies and unanswered requests). */
    int held() {
        return held.size();
    }

    /** Headers and the first bytes of a body, then silence; by turns with a Content-Length and chunked. */
    private void stallBody(final HttpExchange ex) throws IOException {
        final byte[] start = HEAD.getBytes(StandardCharsets.UTF_8);
        final boolean chunked = stalls.getAndIncrement() % 2 == 1;
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(200, chunked ? 0 : start.length + 4096);
        final OutputStream out = ex.getResponseBody();
        out.write(start);
        out.flush();
        hold(ex);
    }

    /**
     * Headers with a Content-Length, half the body, then the connection is closed: the client
     * reads a premature end of stream. (The JDK's server gives no access to its socket, so this is
     * a close rather than a TCP reset; for the client both end the body early.)
     */
    private void resetMidBody(final HttpExchange ex) throws IOException {
        final byte[] body = (HEAD + "a".repeat(8192) + TAIL).getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(200, body.length);
        final OutputStream out = ex.getResponseBody();
        out.write(body, 0, body.length / 2);
        out.flush();
        // closing a fixed-length exchange before its length is written drops the connection
        ex.close();
    }

    private void hold(final HttpExchange ex) {
        held.add(ex);
        timers.schedule(() -> release(ex), HOLD_FOR.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void release(final HttpExchange ex) {
        if (held.remove(ex)) {
            ex.close();
        }
    }

    private static void writeQuietly(final HttpExchange ex, final String contentType, final byte[] body) {
        try (ex) {
            ex.getResponseHeaders().add("Content-Type", contentType);
            ex.sendResponseHeaders(200, body.length);
            final OutputStream out = ex.getResponseBody();
            for (int at = 0; at < body.length; at += WRITE_CHUNK) {
                out.write(body, at, Math.min(WRITE_CHUNK, body.length - at));
            }
        } catch (final IOException | RuntimeException clientGone) {
            // the client gave up reading (its limit or its timeout): that is the point
        }
    }

    /** A valid chat completion of exactly {@code bytes}, its content plain text. */
    private static byte[] oversizedBody(final int bytes) {
        final int fill = Math.max(0, bytes - HEAD.length() - TAIL.length());
        final String words = "All work and no play makes a very long answer. ";
        final StringBuilder b = new StringBuilder(bytes).append(HEAD);
        while (b.length() < HEAD.length() + fill) {
            b.append(words, 0, Math.min(words.length(), HEAD.length() + fill - b.length()));
        }
        return b.append(TAIL).toString().getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * A completion whose content is raw control characters (so not valid JSON), sized so that the
     * content written as a JSON string is 64 KiB over Kafka's default record size.
     */
    private static byte[] escapingBody() {
        final int controls = (KAFKA_RECORD_BYTES + (64 << 10)) / ESCAPE_FACTOR;
        final byte[] head = HEAD.getBytes(StandardCharsets.US_ASCII);
        final byte[] tail = TAIL.getBytes(StandardCharsets.US_ASCII);
        final byte[] body = Arrays.copyOf(head, head.length + controls + tail.length);
        for (int i = 0; i < controls; i++) {
            body[head.length + i] = (byte) (1 + i % 7); // 0x01..0x07: each escapes to a six-character backslash-u sequence
        }
        System.arraycopy(tail, 0, body, head.length + controls, tail.length);
        return body;
    }

    @Override
    public void close() {
        held.forEach(this::release);
    }
}
