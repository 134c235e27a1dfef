package dev.rebound.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The JSON Schemas published under {@code schemas/} at the repository root (for agents in other
 * languages), read from the files themselves, never from a copy, and checked with a draft 2020-12
 * validator that asserts {@code format} too (so an instant that is not RFC 3339 fails).
 */
public final class Schemas {

    public static final String REQUEST = "request.schema.json";
    public static final String RESULT = "result.schema.json";
    public static final String DEAD_LETTER = "dead-letter.schema.json";
    public static final List<String> ALL = List.of(REQUEST, RESULT, DEAD_LETTER);

    /** The dialect every file declares in {@code $schema}. */
    public static final String DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema";

    private static final ObjectMapper PLAIN = new ObjectMapper();
    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
            b -> b.schemaRegistryConfig(SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build()));

    private Schemas() {
    }

    /** The folder of the published schemas: {@code schemas/} beside the pom (Surefire runs in the project's base directory). */
    public static Path dir() {
        return Path.of(System.getProperty("basedir", ".")).resolve("schemas");
    }

    /** The schema file {@code name} as JSON. */
    public static JsonNode json(final String name) {
        try {
            return PLAIN.readTree(Files.readAllBytes(dir().resolve(name)));
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The schema file {@code name}, ready to validate. */
    public static Schema load(final String name) {
        return REGISTRY.getSchema(json(name));
    }

    /** A schema given as JSON (a file's content changed by a test). */
    public static Schema of(final JsonNode schema) {
        return REGISTRY.getSchema(schema);
    }

    /** The draft 2020-12 meta-schema, from the validator's own copy (no network). */
    public static Schema metaSchema() {
        return REGISTRY.getSchema(SchemaLocation.of(DRAFT_2020_12));
    }

    /** What is wrong with {@code instance} according to {@code schema}, one line per error; empty when it is valid. */
    public static List<String> errors(final Schema schema, final JsonNode instance) {
        return schema.validate(instance).stream().map(Error::toString).toList();
    }
}
