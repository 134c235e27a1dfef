package dev.rebound;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.rebound.config.ConfigLoader;
import dev.rebound.config.ReboundConfig;
import dev.rebound.testkit.ContainerBroker;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What can be checked of the {@code Dockerfile} and {@code docker-compose.yml} without a Docker
 * engine: that compose can read the file, that what it builds and mounts exists, that the
 * configuration it mounts is a valid Rebound configuration whose ops port is the one published,
 * that Rebound waits for a healthy broker, and that the image is built from files in the repo and
 * runs as a non-root user.
 */
class ContainerFilesTest {

    private static final Path COMPOSE = Path.of("docker-compose.yml");
    private static final Path DOCKERFILE = Path.of("Dockerfile");

    private final JsonNode services = read().path("services");

    private static JsonNode read() {
        try {
            return new ObjectMapper(new YAMLFactory()).readTree(COMPOSE.toFile());
        } catch (final Exception e) {
            throw new AssertionError(COMPOSE + " does not parse", e);
        }
    }

    @Test
    void shouldNameAnImageOrABuildWhoseDockerfileExistsForEveryService() {
        assertThat(services.size()).isPositive();
        services.fields().forEachRemaining(s -> {
            final JsonNode build = s.getValue().path("build");
            assertThat(s.getValue().has("image") || !build.isMissingNode()).as(s.getKey() + ": image or build").isTrue();
            if (!build.isMissingNode()) {
                final String context = build.isTextual() ? build.asText() : build.path("context").asText(".");
                final String file = build.isTextual() ? "Dockerfile" : build.path("dockerfile").asText("Dockerfile");
                assertThat(Path.of(context).resolve(file)).as(s.getKey() + ": its Dockerfile").isRegularFile();
            }
        });
        assertThat(services.path("kafka").path("image").asText()).as("the broker the tests use where Docker is")
                .isEqualTo(ContainerBroker.IMAGE);
    }

    @Test
    void shouldMountConfigurationsThatExistAndAreValid() {
        final List<String> checked = new ArrayList<>();
        services.fields().forEachRemaining(s -> {
            final JsonNode service = s.getValue();
            for (final JsonNode volume : service.path("volumes")) {
                final String host = volume.asText().split(":")[0];
                assertThat(Path.of(host)).as(s.getKey() + ": mounted " + host).exists();
            }
            configFile(service).ifPresent(file -> {
                final ReboundConfig config = load(service, file);
                assertThat(config.targets()).as(file + ": targets").isNotEmpty();
                checked.add(s.getKey() + " " + file);
            });
        });
        assertThat(checked).as("services given a --config").hasSize(2);
    }

    @Test
    void shouldPublishTheOpsPortOfTheConfigurationThatReboundRuns() {
        final JsonNode rebound = services.path("rebound");
        assertThat(rebound.path("command").get(0).asText()).isEqualTo("run");
        final ReboundConfig config = load(rebound, configFile(rebound).orElseThrow());
        // a service sharing another's network namespace publishes its ports through that service
        final String network = rebound.path("network_mode").asText("");
        final JsonNode publisher = network.startsWith("service:") ? services.path(network.substring("service:".length())) : rebound;
        final List<Integer> published = new ArrayList<>();
        for (final JsonNode port : publisher.path("ports")) {
            final String[] parts = port.asText().split(":");
            published.add(Integer.parseInt(parts[parts.length - 1]));
        }
        assertThat(published).as("container ports published for rebound").contains(config.ops().port());
        assertThat(config.ops().enabled()).isTrue();
        assertThat(config.ops().bind()).as("ops.bind: a published port reaches nothing bound to 127.0.0.1").isEqualTo("0.0.0.0");
    }

    @Test
    void shouldWaitForAHealthyBrokerInsteadOfRestartingOnFailure() {
        assertThat(services.path("kafka").path("healthcheck").path("test").size()).as("kafka: healthcheck").isPositive();
        for (final String name : List.of("topics", "rebound")) {
            final JsonNode service = services.path(name);
            assertThat(service.path("depends_on").path("kafka").path("condition").asText()).as(name + " waits for kafka")
                    .isEqualTo("service_healthy");
            assertThat(service.has("restart")).as(name + ": restart").isFalse();
        }
        assertThat(services.path("rebound").path("depends_on").path("topics").path("condition").asText())
                .isEqualTo("service_completed_successfully");
    }

    @Test
    void shouldBuildTheImageFromFilesInTheRepoAndRunItAsANonRootUser() throws Exception {
        final List<String> lines = Files.readAllLines(DOCKERFILE).stream().map(String::trim)
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        final List<String> stages = new ArrayList<>();
        String user = null;
        for (final String line : lines) {
            final String[] words = line.split("\\s+");
            switch (words[0]) {
                case "FROM" -> {
                    stages.add(words.length >= 4 && words[2].equalsIgnoreCase("AS") ? words[3] : words[1]);
                    user = null;
                }
                case "COPY" -> {
                    if (words[1].startsWith("--from=")) {
                        assertThat(stages).as(line).contains(words[1].substring("--from=".length()));
                        assertThat(words[2]).as(line + ": the jar the pom builds").endsWith("/target/rebound.jar");
                    } else {
                        for (int i = 1; i < words.length - 1; i++) {
                            assertThat(Path.of(words[i])).as(line + ": " + words[i]).exists();
                        }
                    }
                }
                case "USER" -> user = words[1];
                default -> {
                    // RUN, WORKDIR, EXPOSE, ENTRYPOINT, CMD: nothing in the repo to check
                }
            }
        }
        assertThat(lines.get(0)).as("the build stage").startsWith("FROM maven:").contains("temurin-17");
        assertThat(lines.stream().filter(l -> l.startsWith("FROM ")).reduce((a, b) -> b).orElseThrow())
                .as("the run stage").startsWith("FROM eclipse-temurin:17-jre");
        assertThat(user).as("USER of the run stage").isNotNull().isNotIn("root", "0");
        assertThat(lines).as("copied into the build stage").contains("COPY pom.xml .", "COPY src src", "COPY topics topics");
        assertThat(Files.readString(Path.of("pom.xml"))).contains("<finalName>rebound</finalName>");
        assertThat(lines.stream().filter(l -> l.startsWith("CMD ")).findFirst().orElseThrow())
                .contains("\"run\", \"--config\", \"/config/");
        final String ignored = Files.readString(Path.of(".dockerignore"));
        assertThat(ignored.lines().map(String::trim)).as(".dockerignore keeps what the build needs")
                .doesNotContain("pom.xml", "src", "src/", "topics", "topics/");
    }

    /** The host file behind a service's {@code --config}, through its volumes. */
    private static Optional<Path> configFile(final JsonNode service) {
        final List<String> command = new ArrayList<>();
        service.path("command").forEach(c -> command.add(c.asText()));
        final int at = command.indexOf("--config");
        if (at < 0) {
            return Optional.empty();
        }
        final String inContainer = command.get(at + 1);
        for (final JsonNode volume : service.path("volumes")) {
            final String[] parts = volume.asText().split(":");
            if (inContainer.startsWith(parts[1] + "/")) {
                return Optional.of(Path.of(parts[0]).resolve(inContainer.substring(parts[1].length() + 1)));
            }
        }
        throw new AssertionError("--config " + inContainer + " is in no volume of " + service);
    }

    /** The configuration as the service reads it: with the service's environment. */
    private static ReboundConfig load(final JsonNode service, final Path file) {
        final Map<String, String> env = new HashMap<>();
        service.path("environment").fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
        final ReboundConfig config = new ConfigLoader(env::get).load(file);
        assertThat(config.kafka()).as(file + ": bootstrap.servers from the service's environment")
                .containsEntry("bootstrap.servers", env.get("KAFKA_BOOTSTRAP"));
        return config;
    }
}
