package dev.rebound.ops;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * The path of {@code GET /requests/{key}/{id}}: a request's record key and id, each one
 * percent-encoded path segment, so that any string (a slash, a space, a {@code %}, non-ASCII)
 * travels and comes back unchanged.
 *
 * @param key the request's {@code agent-calls} record key
 * @param id  the request's id
 */
public record RequestPath(String key, String id) {

    /** The prefix the ops endpoint serves these paths under. */
    public static final String PREFIX = "/requests/";

    public RequestPath {
        if (key == null || key.isEmpty() || id == null || id.isEmpty()) {
            throw new IllegalArgumentException("a request is named by a non-empty key and id: " + PREFIX + "{key}/{id}");
        }
    }

    /** The raw (encoded) path, e.g. {@code /requests/session%2F7/req%201}. */
    public String path() {
        return PREFIX + segment(key) + "/" + segment(id);
    }

    /**
     * The key and id of a raw path; a {@code +} is a plus, not a space (it is a path, not a form).
     *
     * @throws IllegalArgumentException when the path is not {@code /requests/{key}/{id}}
     */
    public static RequestPath parse(final String rawPath) {
        if (!rawPath.startsWith(PREFIX)) {
            throw new IllegalArgumentException("expected " + PREFIX + "{key}/{id}, was " + rawPath);
        }
        final String[] parts = rawPath.substring(PREFIX.length()).split("/", -1);
        if (parts.length != 2) {
            throw new IllegalArgumentException("expected " + PREFIX + "{key}/{id} with a slash in the key or id encoded as %2F, was "
                    + rawPath);
        }
        return new RequestPath(decode(parts[0]), decode(parts[1]));
    }

    private static String segment(final String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String decode(final String segment) {
        return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
