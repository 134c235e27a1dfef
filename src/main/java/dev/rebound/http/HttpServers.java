package dev.rebound.http;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetSocketAddress;

/** The JDK's HTTP server as Rebound's endpoints (ops, the simulator) use it. */
public final class HttpServers {

    /**
     * The JDK server writes a response's headers and its body as separate packets and leaves
     * Nagle's algorithm on; with the client's delayed ACK every answer then waits about 40 ms
     * longer than it should (the simulator's 50 ms calls took about 97 ms, halving the benchmarks'
     * throughput). Its {@code sun.net.httpserver.nodelay} property turns {@code TCP_NODELAY} on;
     * the server reads it once, when the first server of the process is made, so it is set here,
     * before that, unless the user set it.
     */
    static {
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private HttpServers() {
    }

    /** A server bound to {@code address} with TCP_NODELAY on its connections. */
    public static HttpServer create(final InetSocketAddress address, final int backlog) throws IOException {
        return HttpServer.create(address, backlog);
    }
}
