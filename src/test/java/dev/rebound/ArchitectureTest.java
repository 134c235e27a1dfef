package dev.rebound;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The pure core stays pure: decisions import nothing from Kafka or the network (STYLE.md). */
class ArchitectureTest {

    private static final List<String> FORBIDDEN = List.of("import org.apache.kafka", "import java.net.http", "import com.sun.net",
            "import dev.rebound.execute", "import dev.rebound.topology", "import dev.rebound.ops");

    @ParameterizedTest
    @ValueSource(strings = {"classify", "config", "request", "retry", "circuit", "fallback", "lifecycle"})
    void shouldKeepPurePackagesFreeOfKafkaAndHttp(final String pkg) throws IOException {
        final Path dir = Path.of("src/main/java/dev/rebound", pkg);
        try (Stream<Path> files = Files.walk(dir)) {
            files.filter(f -> f.toString().endsWith(".java")).forEach(f -> {
                final String source = read(f);
                FORBIDDEN.forEach(forbidden -> assertThat(source).as(f.toString()).doesNotContain(forbidden));
            });
        }
    }

    private static String read(final Path f) {
        try {
            return Files.readString(f);
        } catch (final IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
