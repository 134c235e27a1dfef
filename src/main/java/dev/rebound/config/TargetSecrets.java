package dev.rebound.config;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Which of a target's configured values are secrets (DESIGN §4). Deliberately narrow: masking is
 * a text replacement, so every value called a secret is rewritten wherever it appears in text that
 * came from outside. {@code anthropic-version: 2023-06-01} is configuration; masking it would rewrite
 * every answer that mentions the date.
 *
 * <p>A secret is: a value substituted from an environment variable inside a header; the value of a
 * credential header ({@link #CREDENTIAL_HEADERS}); the value of a header named in
 * {@code secretHeaders}; the value of a URL query parameter named in {@code secretParams}.
 */
final class TargetSecrets {

    /** Headers whose values are credentials whoever configures them. */
    static final Set<String> CREDENTIAL_HEADERS = Set.of("authorization", "proxy-authorization", "x-api-key", "api-key",
            "x-goog-api-key");

    private TargetSecrets() {
    }

    static Set<String> of(final String headersPath, final Map<String, String> headers, final List<String> secretHeaders,
                          final Optional<URI> url, final List<String> secretParams, final Map<String, Set<String>> fromEnv) {
        final Map<String, String> byLowerName = new TreeMap<>();
        headers.forEach((name, value) -> byLowerName.put(name.toLowerCase(Locale.ROOT), value));
        final Set<String> secrets = new HashSet<>();
        headers.forEach((name, value) -> {
            secrets.addAll(fromEnv.getOrDefault(headersPath + "." + name, Set.of()));
            if (CREDENTIAL_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                secrets.add(value);
            }
        });
        for (final String name : secretHeaders) {
            final String value = byLowerName.get(name.toLowerCase(Locale.ROOT));
            if (value == null) {
                throw new ConfigException(headersPath.replaceFirst("headers$", "secretHeaders"),
                        "names '" + name + "', which is not one of the target's headers " + headers.keySet());
            }
            secrets.add(value);
        }
        final Map<String, String> query = url.map(TargetSecrets::query).orElse(Map.of());
        for (final String name : secretParams) {
            final String value = query.get(name);
            if (value == null) {
                throw new ConfigException(headersPath.replaceFirst("headers$", "secretParams"),
                        "names '" + name + "', which is not a query parameter of the target's url");
            }
            secrets.add(value);
            secrets.add(rawValue(url.get().getRawQuery(), name));
        }
        secrets.removeIf(String::isEmpty);
        return secrets;
    }

    private static Map<String, String> query(final URI url) {
        final Map<String, String> out = new TreeMap<>();
        final String raw = url.getRawQuery();
        if (raw == null) {
            return out;
        }
        for (final String pair : raw.split("&")) {
            final int eq = pair.indexOf('=');
            if (eq > 0) {
                out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    /** The value as written in the URL (still percent-encoded): error messages may quote the URL as it is. */
    private static String rawValue(final String rawQuery, final String name) {
        for (final String pair : rawQuery.split("&")) {
            if (pair.startsWith(name + "=")) {
                return pair.substring(name.length() + 1);
            }
        }
        return "";
    }
}
