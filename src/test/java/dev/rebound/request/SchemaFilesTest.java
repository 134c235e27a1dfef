package dev.rebound.request;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rebound.classify.ErrorCategory;
import dev.rebound.classify.Severity;
import dev.rebound.testkit.Schemas;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.reflect.Field;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The files under {@code schemas/} are valid draft 2020-12 schemas that use no keyword outside
 * that draft, and they say what the Java types say: the same fields, the same enumerations. A
 * value added to {@link DeadLetterReason}, {@link ErrorCategory}, {@link Severity} or
 * {@link Priority}, or a field added to a record, fails here until the schema has it too.
 */
class SchemaFilesTest {

    /** Every keyword of draft 2020-12's vocabularies (core, applicator, unevaluated, validation, meta-data, format, content). */
    private static final Set<String> KEYWORDS = Set.of("$schema", "$id", "$ref", "$anchor", "$dynamicRef", "$dynamicAnchor",
            "$vocabulary", "$comment", "$defs", "allOf", "anyOf", "oneOf", "not", "if", "then", "else", "dependentSchemas",
            "prefixItems", "items", "contains", "properties", "patternProperties", "additionalProperties", "propertyNames",
            "unevaluatedItems", "unevaluatedProperties", "type", "const", "enum", "multipleOf", "maximum", "exclusiveMaximum",
            "minimum", "exclusiveMinimum", "maxLength", "minLength", "pattern", "maxItems", "minItems", "uniqueItems",
            "maxContains", "minContains", "maxProperties", "minProperties", "required", "dependentRequired", "title",
            "description", "default", "deprecated", "readOnly", "writeOnly", "examples", "format", "contentEncoding",
            "contentMediaType", "contentSchema");

    static List<String> files() {
        return Schemas.ALL;
    }

    @ParameterizedTest
    @MethodSource("files")
    void shouldDeclareDraft202012(final String file) {
        assertThat(Schemas.json(file).path("$schema").asText()).isEqualTo(Schemas.DRAFT_2020_12);
    }

    @ParameterizedTest
    @MethodSource("files")
    void shouldBeValidAgainstTheDraft202012MetaSchema(final String file) {
        assertThat(Schemas.errors(Schemas.metaSchema(), Schemas.json(file))).isEmpty();
        assertThat(Schemas.load(file)).as("compiles, every $ref resolved").isNotNull();
    }

    @ParameterizedTest
    @MethodSource("files")
    void shouldUseOnlyDraft202012Keywords(final String file) {
        // the meta-schema allows unknown keywords (they are annotations): a misspelt "additionalProperty" would pass it
        final List<String> unknown = new ArrayList<>();
        unknownKeywords(Schemas.json(file), "#", unknown);
        assertThat(unknown).isEmpty();
    }

    @Test
    void shouldFailTheMetaSchemaAndTheKeywordCheckForABrokenSchema() {
        final ObjectNode broken = (ObjectNode) Schemas.json(Schemas.RESULT).deepCopy();
        ((ObjectNode) broken.path("properties").path("attempts")).put("minimum", "zero");
        ((ObjectNode) broken.path("properties").path("latencyMs")).put("minimun", 0);
        assertThat(Schemas.errors(Schemas.metaSchema(), broken)).isNotEmpty();
        final List<String> unknown = new ArrayList<>();
        unknownKeywords(broken, "#", unknown);
        assertThat(unknown).containsExactly("#/properties/latencyMs/minimun");
    }

    @Test
    void shouldListEveryDeadLetterReason() {
        assertThat(strings(Schemas.json(Schemas.DEAD_LETTER).at("/$defs/reason/enum"))).containsExactlyInAnyOrderElementsOf(names(DeadLetterReason.values()));
    }

    @ParameterizedTest
    @ValueSource(strings = {Schemas.RESULT, Schemas.DEAD_LETTER})
    void shouldListEveryErrorCategory(final String file) {
        assertThat(strings(Schemas.json(file).at("/$defs/category/enum"))).containsExactlyInAnyOrderElementsOf(names(ErrorCategory.values()));
    }

    @Test
    void shouldListEverySeverityAndPairEachCategoryWithItsOwn() {
        final JsonNode deadLetter = Schemas.json(Schemas.DEAD_LETTER);
        assertThat(strings(deadLetter.at("/$defs/severity/enum"))).containsExactlyInAnyOrderElementsOf(names(Severity.values()));
        final Map<String, String> pairs = new LinkedHashMap<>();
        for (final JsonNode option : deadLetter.at("/$defs/categorySeverity/anyOf")) {
            final JsonNode c = option.at("/properties/category/const");
            if (!c.isMissingNode()) {
                pairs.put(c.asText(), option.at("/properties/severity/const").asText());
            }
        }
        final Map<String, String> java = new LinkedHashMap<>();
        for (final ErrorCategory c : ErrorCategory.values()) {
            java.put(c.name(), c.severity().name());
        }
        assertThat(pairs).isEqualTo(java);
    }

    @Test
    void shouldListBothOutcomesAndEveryPriority() {
        assertThat(strings(Schemas.json(Schemas.RESULT).at("/properties/outcome/enum")))
                .containsExactlyInAnyOrder(AgentResult.SUCCEEDED, AgentResult.FALLBACK);
        final List<String> priorities = new ArrayList<>(Arrays.stream(Priority.values()).map(Priority::label).toList());
        priorities.add("null");
        assertThat(strings(Schemas.json(Schemas.REQUEST).at("/properties/priority/enum"))).containsExactlyInAnyOrderElementsOf(priorities);
    }

    @Test
    void shouldNameExactlyTheRequestFieldsTheParserTakes() throws ReflectiveOperationException {
        final JsonNode request = Schemas.json(Schemas.REQUEST);
        assertThat(fieldNames(request.path("properties"))).isEqualTo(new TreeSet<>(constant("FIELDS")));
        assertThat(fieldNames(request.at("/properties/policy/properties"))).isEqualTo(new TreeSet<>(constant("POLICY_FIELDS")));
        assertThat(request.at("/properties/policy/properties/tokens/maximum").asLong()).isEqualTo(RequestParser.MAX_TOKENS);
    }

    @Test
    void shouldNameEveryFieldOfTheRecordsReboundWritesAndRequireAllButTheFallbackList() {
        final JsonNode result = Schemas.json(Schemas.RESULT);
        final JsonNode deadLetter = Schemas.json(Schemas.DEAD_LETTER);
        assertFields(result, AgentResult.class);
        assertFields(result.at("/$defs/errorInfo"), ErrorInfo.class);
        assertFields(result.at("/$defs/policy"), EffectivePolicy.class);
        assertFields(deadLetter.at("/$defs/policy"), EffectivePolicy.class);
        assertThat(deadLetter.at("/$defs/policy")).as("one definition of the policy in both records").isEqualTo(result.at("/$defs/policy"));
        assertFields(deadLetter.at("/$defs/attempt"), Attempt.class);
        assertFields(deadLetter.at("/$defs/fallbackFailure"), FallbackFailure.class);
        assertFields(deadLetter.at("/$defs/source"), Source.class);
        assertThat(fieldNames(deadLetter.path("properties"))).isEqualTo(components(DeadLetter.class));
        final Set<String> required = components(DeadLetter.class);
        required.remove("fallback"); // @JsonInclude(NON_EMPTY): absent unless steps were tried
        assertThat(strings(deadLetter.path("required"))).containsExactlyInAnyOrderElementsOf(required);
    }

    /** Every component is a property, and required: Json.MAPPER writes nulls, it never leaves a field out. */
    private static void assertFields(final JsonNode schema, final Class<? extends Record> type) {
        assertThat(fieldNames(schema.path("properties"))).as(type.getSimpleName()).isEqualTo(components(type));
        assertThat(strings(schema.path("required"))).as(type.getSimpleName()).containsExactlyInAnyOrderElementsOf(components(type));
        assertThat(schema.path("additionalProperties").asBoolean(true)).as(type.getSimpleName()).isFalse();
    }

    private static Set<String> components(final Class<? extends Record> type) {
        final Set<String> out = new TreeSet<>();
        for (final RecordComponent c : type.getRecordComponents()) {
            out.add(c.getName());
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Set<String> constant(final String name) throws ReflectiveOperationException {
        final Field f = RequestParser.class.getDeclaredField(name);
        f.setAccessible(true);
        return (Set<String>) f.get(null);
    }

    private static Set<String> fieldNames(final JsonNode object) {
        final Set<String> out = new TreeSet<>();
        object.fieldNames().forEachRemaining(out::add);
        return out;
    }

    private static List<String> strings(final JsonNode array) {
        assertThat(array.isArray()).as("an array: %s", array).isTrue();
        final List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.isNull() ? "null" : n.asText()));
        assertThat(new HashSet<>(out)).as("no repeats").hasSize(out.size());
        return out;
    }

    private static List<String> names(final Enum<?>[] values) {
        return Arrays.stream(values).map(Enum::name).toList();
    }

    /** Walks every subschema and collects the keys that are no draft 2020-12 keyword, as JSON pointers. */
    private static void unknownKeywords(final JsonNode schema, final String at, final List<String> out) {
        if (!schema.isObject()) {
            return;
        }
        final Iterator<Map.Entry<String, JsonNode>> fields = schema.fields();
        while (fields.hasNext()) {
            final Map.Entry<String, JsonNode> f = fields.next();
            final String key = f.getKey();
            final JsonNode value = f.getValue();
            final String here = at + "/" + key;
            if (!KEYWORDS.contains(key)) {
                out.add(here);
                continue;
            }
            switch (key) {
                case "properties", "$defs", "patternProperties", "dependentSchemas" ->
                        value.fields().forEachRemaining(e -> unknownKeywords(e.getValue(), here + "/" + e.getKey(), out));
                case "allOf", "anyOf", "oneOf", "prefixItems" -> {
                    for (int i = 0; i < value.size(); i++) {
                        unknownKeywords(value.get(i), here + "/" + i, out);
                    }
                }
                case "not", "if", "then", "else", "items", "contains", "additionalProperties", "propertyNames",
                     "unevaluatedItems", "unevaluatedProperties", "contentSchema" -> unknownKeywords(value, here, out);
                default -> {
                    // a keyword whose value is no schema (type, enum, required, description, ...)
                }
            }
        }
    }
}
