package dev.rebound.ops;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.rebound.app.ReboundStreams;
import dev.rebound.app.SelfHealth;
import dev.rebound.http.HttpServers;
import dev.rebound.metrics.ReboundMetrics;
import dev.rebound.request.Json;
import org.apache.kafka.streams.KafkaStreams;

import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * The HTTP ops endpoint: {@code /metrics} (Prometheus text), {@code /circuits} (JSON), {@code /health/live} and
 * {@code /health/ready} (JSON with every check of {@link SelfHealth}; 200 or 503), and
 * {@code /requests/{key}/{id}} (where one request stands, from whichever instance owns its key:
 * {@link RequestLookup}). Binds 127.0.0.1 by default; only GET is served.
 */
public final class OpsServer implements AutoCloseable {

    private final HttpServer server;

    private OpsServer(final HttpServer server) {
        this.server = server;
    }

    /** {@link #bind} then {@link #serve}: for callers that have the processor already. */
    public static OpsServer start(final String bind, final int port, final ReboundMetrics metrics, final ReboundStreams rebound)
            throws IOException {
        final OpsServer ops = bind(bind, port);
        ops.serve(metrics, rebound);
        return ops;
    }

    /**
     * Takes the address and port, answering 404 until {@link #serve}, so that {@code rebound run}
     * finds a taken port before it starts consuming, not after.
     *
     * @param port 0 for any free port ({@link #port()} then tells which)
     * @throws BindException naming the address, the port and the settings that change them, when
     *                       the port is taken (another instance on this host, or another program)
     */
    public static OpsServer bind(final String bind, final int port) throws IOException {
        final HttpServer server;
        try {
            server = HttpServers.create(new InetSocketAddress(bind, port), 16);
        } catch (final BindException e) {
            final BindException clear = new BindException("the ops endpoint cannot listen on " + bind + ":" + port + " ("
                    + e.getMessage() + "): another program, or another Rebound instance on this host, has that port. "
                    + "Set ops.port in the configuration to a free port (0 picks any), or ops.enabled: false to run without the "
                    + "endpoint (no /metrics, /circuits, /health)");
            clear.initCause(e);
            throw clear;
        }
        // a few threads: /requests forwards a GET to the instance that owns the key and waits for it,
        // and two instances forwarding to each other at once must not each wait on its only thread
        server.setExecutor(Executors.newFixedThreadPool(4, r -> {
            final Thread t = new Thread(r, "rebound-ops");
            t.setDaemon(true);
            return t;
        }));
        // started at once, answering 404 until serve(): a server never started keeps its port
        // after stop() (its channel is closed only by the selector loop that start() runs)
        server.start();
        return new OpsServer(server);
    }

    /** Serves {@code /metrics}, {@code /circuits}, {@code /health/*} and {@code /requests/*} for {@code rebound}; call once. */
    public void serve(final ReboundMetrics metrics, final ReboundStreams rebound) {
        final KafkaStreams streams = rebound.streams();
        final SelfHealth health = rebound.health();
        server.createContext("/metrics", ex -> answer(ex, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape()));
        server.createContext("/circuits", ex -> answer(ex, 200, "application/json", CircuitsView.json(streams, metrics)));
        final RequestLookup requests = new RequestLookup(rebound);
        server.createContext(RequestPath.PREFIX, ex -> {
            final RequestPath path;
            try {
                path = RequestPath.parse(ex.getRequestURI().getRawPath());
            } catch (final IllegalArgumentException e) {
                final ObjectNode err = Json.MAPPER.createObjectNode();
                err.put("error", e.getMessage());
                answer(ex, 400, "application/json", err.toString());
                return;
            }
            final RequestLookup.Answer a = requests.find(path, ex.getRequestHeaders().getFirst(RequestLookup.FORWARDED));
            answer(ex, a.status(), "application/json", a.body().toString());
        });
        server.createContext("/health/live", ex -> {
            final Map<String, SelfHealth.Check> checks = health.checks();
            final boolean live = health.live(checks);
            answer(ex, live ? 200 : 503, "application/json", health.json("live", live, checks));
        });
        server.createContext("/health/ready", ex -> {
            final Map<String, SelfHealth.Check> checks = health.checks();
            final boolean ready = health.ready(checks);
            answer(ex, ready ? 200 : 503, "application/json", health.json("ready", ready, checks));
        });
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void answer(final HttpExchange ex, final int status, final String type, final String body) throws IOException {
        try (ex) {
            if (!"GET".equals(ex.getRequestMethod())) {
                ex.sendResponseHeaders(405, -1);
                return;
            }
            final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", type);
            ex.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
