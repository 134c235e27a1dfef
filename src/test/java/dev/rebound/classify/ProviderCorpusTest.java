package dev.rebound.classify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Real error responses of thirteen providers (OpenAI, Anthropic, Gemini, Vertex, Azure OpenAI,
 * Bedrock, Mistral, Cohere, Groq, OpenRouter, xAI, DeepSeek, Hugging Face TGI), each with its
 * source and the category it must get: {@code src/test/resources/provider-errors/*.jsonl}.
 */
class ProviderCorpusTest {

    private static final Path CORPUS = Path.of("src/test/resources/provider-errors");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");

    /** One example: the response as the executor would see it, and what it must be. */
    record Example(String id, String provider, int status, Map<String, List<String>> headers, String body, ErrorCategory expected,
                   String why, String source) {
        @Override
        public String toString() {
            return id;
        }
    }

    static List<Example> corpus() {
        final List<Example> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(CORPUS)) {
            for (final Path f : files.filter(p -> p.toString().endsWith(".jsonl")).sorted().toList()) {
                for (final String line : Files.readAllLines(f)) {
                    if (!line.isBlank()) {
                        out.add(example(JSON.readTree(line)));
                    }
                }
            }
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static Example example(final JsonNode n) throws IOException {
        final Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        n.path("headers").fields().forEachRemaining(e -> headers.put(e.getKey(), List.of(e.getValue().asText())));
        final JsonNode body = n.path("body");
        return new Example(n.path("id").asText(), n.path("provider").asText(), n.path("status").asInt(), headers,
                body.isTextual() ? body.asText() : JSON.writeValueAsString(body), ErrorCategory.valueOf(n.path("expected").asText()),
                n.path("why").asText(), n.path("source").asText());
    }

    static Stream<Arguments> examples() {
        return corpus().stream().map(e -> Arguments.of(e));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void shouldClassifyEveryRealProviderErrorAsItsCorpusSays(final Example e) {
        final Classification c = ErrorClassifier.defaults().classify(new Failure.Http(e.status(), e.headers(), e.body()), NOW);
        assertThat(c.category()).as(e.id() + " (" + e.why() + ")").isEqualTo(e.expected());
        assertThat(c.retryable()).as("the retry decision follows the category").isEqualTo(e.expected().retryable());
    }

    @Test
    void shouldCoverEveryProviderWithSourcedExamples() {
        final List<Example> all = corpus();
        final Map<String, Integer> perProvider = new TreeMap<>();
        all.forEach(e -> perProvider.merge(e.provider(), 1, Integer::sum));
        final Set<String> ids = new HashSet<>();
        assertThat(all).hasSizeGreaterThanOrEqualTo(100).allSatisfy(e -> {
            assertThat(ids.add(e.id())).as("unique id " + e.id()).isTrue();
            assertThat(e.source()).as(e.id()).isNotBlank();
            assertThat(e.why()).as(e.id()).isNotBlank();
        });
        assertThat(perProvider.keySet()).containsExactlyInAnyOrder("anthropic", "azure-openai", "bedrock", "cohere", "deepseek",
                "gemini", "groq", "mistral", "openai", "openrouter", "tgi", "vertex", "xai");
        final long right = all.stream().filter(e -> ErrorClassifier.defaults()
                .classify(new Failure.Http(e.status(), e.headers(), e.body()), NOW).category() == e.expected()).count();
        System.out.printf("provider-error corpus: %d examples %s, %d classified as expected (%.1f%%)%n", all.size(), perProvider, right,
                100.0 * right / all.size());
    }
}
