package dev.rebound.request;

/**
 * The last error a request met, as shown on a result ({@code lastError}).
 *
 * @param httpStatus {@code null} when no HTTP response arrived
 */
public record ErrorInfo(String category, Integer httpStatus, String message) {
}
