package dev.rebound.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import dev.rebound.request.Json;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** Reading and answering one exchange of the simulated endpoint, shared by its handlers. */
final class SimExchanges {

    private SimExchanges() {
    }

    /** Answers with {@code status} and a JSON {@code body}, closing the exchange. */
    static void send(final HttpExchange ex, final int status, final String body) throws IOException {
        final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** The request body as JSON, or an empty object when it is not JSON. */
    static JsonNode readBody(final InputStream in) {
        try {
            return Json.MAPPER.readTree(in.readAllBytes());
        } catch (final IOException | RuntimeException e) {
            return Json.MAPPER.createObjectNode();
        }
    }
}
