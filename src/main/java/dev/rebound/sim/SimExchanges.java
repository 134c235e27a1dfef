package dev.rebound.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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

    /** An OpenAI-style error body: {@code {"error": {"message", "type", "code"}}}, without a code when it is null. */
    static String error(final String message, final String type, final String code) {
        final ObjectNode out = Json.MAPPER.createObjectNode();
        final ObjectNode error = out.putObject("error").put("message", message).put("type", type);
        if (code != null) {
            error.put("code", code);
        }
        return out.toString();
    }

    /** The request body as JSON, or an empty object when it is not JSON. */
    static JsonNode readBody(final InputStream in) {
        return parse(readBytes(in));
    }

    /** The request body's bytes, none when it cannot be read. */
    static byte[] readBytes(final InputStream in) {
        try {
            return in.readAllBytes();
        } catch (final IOException e) {
            return new byte[0];
        }
    }

    /** {@code body} as JSON, or an empty object when it is not JSON. */
    static JsonNode parse(final byte[] body) {
        try {
            return Json.MAPPER.readTree(body);
        } catch (final IOException | RuntimeException e) {
            return Json.MAPPER.createObjectNode();
        }
    }
}
