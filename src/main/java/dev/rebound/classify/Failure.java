package dev.rebound.classify;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The raw evidence of a failed attempt, before classification: either the transport broke
 * or the target answered with a non-2xx status.
 */
public sealed interface Failure {

    /** How a transport failure happened. */
    enum TransportKind { TIMEOUT, CONNECT, RESET, OTHER }

    /** No HTTP response: the connection could not be made, broke, or timed out. */
    record Transport(TransportKind kind, String message) implements Failure {
        public Transport {
            Objects.requireNonNull(kind, "kind");
            message = message == null ? kind.name().toLowerCase() : message;
        }
    }

    /**
     * The target answered with an error status.
     *
     * @param headers response headers; names are matched case-insensitively by the classifier
     * @param body    the response body as text (may be empty)
     */
    record Http(int status, Map<String, List<String>> headers, String body) implements Failure {
        public Http {
            headers = headers == null ? Map.of() : headers;
            body = body == null ? "" : body;
        }
    }
}
