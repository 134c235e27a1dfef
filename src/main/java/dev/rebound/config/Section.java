package dev.rebound.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rebound.time.Durations;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One YAML mapping being read into records. Remembers its dotted path so that every error names
 * the field, and which keys were read so that {@link #done()} can reject the ones nobody knows.
 */
final class Section {

    private final String path;
    private final JsonNode node;
    private final Set<String> read = new HashSet<>();

    Section(final String path, final JsonNode node) {
        this.path = path;
        this.node = node;
        if (node == null || !node.isObject()) {
            throw new ConfigException(path.isEmpty() ? "config" : path, "must be a mapping");
        }
    }

    String path(final String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    String parentPath() {
        return path;
    }

    boolean has(final String key) {
        return node.has(key) && !node.get(key).isNull();
    }

    void consume(final String key) {
        read.add(key);
    }

    JsonNode raw(final String key) {
        read.add(key);
        return node.get(key);
    }

    List<String> keys() {
        final List<String> keys = new ArrayList<>();
        node.fieldNames().forEachRemaining(keys::add);
        read.addAll(keys);
        return keys;
    }

    Section section(final String key) {
        read.add(key);
        if (!has(key)) {
            throw new ConfigException(path(key), "is required");
        }
        return new Section(path(key), node.get(key));
    }

    Optional<Section> optionalSection(final String key) {
        read.add(key);
        return has(key) ? Optional.of(new Section(path(key), node.get(key))) : Optional.empty();
    }

    Optional<String> optionalString(final String key) {
        read.add(key);
        if (!has(key)) {
            return Optional.empty();
        }
        final JsonNode v = node.get(key);
        if (!v.isValueNode()) {
            throw new ConfigException(path(key), "must be a single value, was " + v.getNodeType().name().toLowerCase());
        }
        return Optional.of(v.asText());
    }

    String stringOr(final String key, final String fallback) {
        return optionalString(key).orElse(fallback);
    }

    int intOr(final String key, final int fallback) {
        read.add(key);
        if (!has(key)) {
            return fallback;
        }
        final JsonNode v = node.get(key);
        if (v.isIntegralNumber() && v.canConvertToInt()) {
            return v.asInt();
        }
        if (v.isTextual()) {
            try {
                return Integer.parseInt(v.asText().trim());
            } catch (final NumberFormatException ignored) {
                // reported below
            }
        }
        throw new ConfigException(path(key), "must be a whole number, was '" + v.asText() + "'");
    }

    long longOr(final String key, final long fallback) {
        read.add(key);
        if (!has(key)) {
            return fallback;
        }
        final JsonNode v = node.get(key);
        if (v.isIntegralNumber() && v.canConvertToLong()) {
            return v.asLong();
        }
        if (v.isTextual()) {
            try {
                return Long.parseLong(v.asText().trim());
            } catch (final NumberFormatException ignored) {
                // reported below
            }
        }
        throw new ConfigException(path(key), "must be a whole number, was '" + v.asText() + "'");
    }

    double doubleOr(final String key, final double fallback) {
        read.add(key);
        if (!has(key)) {
            return fallback;
        }
        final JsonNode v = node.get(key);
        if (v.isNumber()) {
            return v.asDouble();
        }
        if (v.isTextual()) {
            try {
                return Double.parseDouble(v.asText().trim());
            } catch (final NumberFormatException ignored) {
                // reported below
            }
        }
        throw new ConfigException(path(key), "must be a number, was '" + v.asText() + "'");
    }

    Duration durationOr(final String key, final Duration fallback) {
        final Optional<String> text = optionalString(key);
        if (text.isEmpty()) {
            return fallback;
        }
        return Durations.parse(text.get()).orElseThrow(() -> new ConfigException(path(key),
                "must be a duration such as 500ms, 30s, 5m, 1h or PT30S; was '" + text.get() + "'"));
    }

    boolean boolOr(final String key, final boolean fallback) {
        read.add(key);
        if (!has(key)) {
            return fallback;
        }
        final JsonNode v = node.get(key);
        if (v.isBoolean()) {
            return v.asBoolean();
        }
        throw new ConfigException(path(key), "must be true or false, was '" + v.asText() + "'");
    }

    <E extends Enum<E>> E enumOr(final String key, final E fallback, final Class<E> type) {
        final Optional<String> text = optionalString(key);
        if (text.isEmpty()) {
            return fallback;
        }
        try {
            return Enum.valueOf(type, text.get().trim().toUpperCase(Locale.ROOT));
        } catch (final IllegalArgumentException e) {
            throw new ConfigException(path(key), "must be one of " + Arrays.stream(type.getEnumConstants())
                    .map(c -> c.name().toLowerCase(Locale.ROOT)).toList() + ", was '" + text.get() + "'");
        }
    }

    List<Duration> durationList(final String key, final List<Duration> fallback) {
        read.add(key);
        if (!has(key)) {
            return fallback;
        }
        final JsonNode v = node.get(key);
        if (!v.isArray()) {
            throw new ConfigException(path(key), "must be a list of durations such as [1s, 10s, 1m]");
        }
        final List<Duration> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            final String text = v.get(i).asText();
            final int at = i;
            out.add(Durations.parse(text).orElseThrow(() -> new ConfigException(path(key) + "[" + at + "]",
                    "must be a duration such as 500ms, 30s, 5m; was '" + text + "'")));
        }
        return out;
    }

    /** A list of single values (names, categories); absent means {@code fallback}. */
    List<String> stringList(final String key, final List<String> fallback) {
        read.add(key);
        if (!has(key)) {
            return fallback;
        }
        final JsonNode v = node.get(key);
        if (!v.isArray()) {
            throw new ConfigException(path(key), "must be a list such as [SERVER_ERROR, TIMEOUT]");
        }
        final List<String> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            if (!v.get(i).isValueNode() || v.get(i).isNull()) {
                throw new ConfigException(path(key) + "[" + i + "]", "must be a single value");
            }
            out.add(v.get(i).asText());
        }
        return out;
    }

    /** A mapping of string to string (headers, Kafka properties); absent means empty. */
    Map<String, String> map(final String key) {
        read.add(key);
        final Map<String, String> out = new LinkedHashMap<>();
        if (!has(key)) {
            return out;
        }
        final JsonNode v = node.get(key);
        if (!v.isObject()) {
            throw new ConfigException(path(key), "must be a mapping");
        }
        final Iterator<Map.Entry<String, JsonNode>> it = v.fields();
        while (it.hasNext()) {
            final Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isValueNode() || e.getValue().isNull()) {
                throw new ConfigException(path(key) + "." + e.getKey(), "must be a single value");
            }
            out.put(e.getKey(), e.getValue().asText());
        }
        return out;
    }

    /** Rejects keys that were never read: they are typos or options this version does not have. */
    void done() {
        final Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            final String name = names.next();
            if (!read.contains(name)) {
                throw new ConfigException(path(name), "is not a known setting");
            }
        }
    }

    /** {@link #done()}, then returns {@code value}: for one-expression section readers. */
    <T> T finish(final T value) {
        done();
        return value;
    }
}
