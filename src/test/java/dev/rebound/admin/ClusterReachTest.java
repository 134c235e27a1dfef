package dev.rebound.admin;

import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What a command says while no broker of its configuration answers, and when it gives up. */
class ClusterReachTest {

    private static final String SOURCE = "rebound.yaml";

    private static ClusterReach reach(final String bootstrap) {
        return new ClusterReach(Map.of("bootstrap.servers", bootstrap), SOURCE);
    }

    /** A port on 127.0.0.1 where nothing listens (taken, then given back). */
    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void shouldNameTheAddressAndTheSettingWhenNothingListens() throws Exception {
        final int port = closedPort();

        final ClusterReach.Problem p = reach("127.0.0.1:" + port).probe(Duration.ofSeconds(5)).orElseThrow();

        assertThat(p.text()).contains("nothing listens at 127.0.0.1:" + port, "kafka.bootstrap.servers in " + SOURCE);
        assertThat(p.lasting()).as("a broker may still come up").isFalse();
    }

    @Test
    void shouldNameAHostThatDoesNotResolve() throws Exception {
        final ClusterReach.Problem p = reach("no-such-host.invalid:9092").probe(Duration.ofSeconds(5)).orElseThrow();

        assertThat(p.text()).contains("no such host: no-such-host.invalid", "kafka.bootstrap.servers in " + SOURCE);
    }

    @Test
    void shouldGiveUpAtOnceOnAnAddressWithoutAPort() throws Exception {
        final ClusterReach.Problem p = reach("localhost").probe(Duration.ofSeconds(5)).orElseThrow();

        assertThat(p.lasting()).isTrue();
        assertThat(p.text()).contains("'localhost'", "kafka.bootstrap.servers", "host:port");
    }

    @Test
    void shouldGiveUpAtOnceWithoutBootstrapServers() throws Exception {
        final ClusterReach.Problem p = new ClusterReach(Map.of(), SOURCE).probe(Duration.ofSeconds(5)).orElseThrow();

        assertThat(p.lasting()).isTrue();
        assertThat(p.text()).isEqualTo("kafka.bootstrap.servers is not set in " + SOURCE);
    }

    @Test
    void shouldGiveUpAfterTheTimeoutHavingSaidTheProblemOnceInAFewSeconds() throws Exception {
        // given an address where nothing listens
        final int port = closedPort();
        final List<String> said = new ArrayList<>();

        // when a command waits 2 s for it
        final long started = System.nanoTime();
        assertThatThrownBy(() -> reach("127.0.0.1:" + port).await(Duration.ofSeconds(2), said::add))
                // then it gives up after those 2 s, naming the timeout and the problem
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("gave up after 2 s (startup.timeout in " + SOURCE + "): nothing listens at 127.0.0.1:" + port);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isBetween(Duration.ofSeconds(2), Duration.ofSeconds(4));
        // and said it once meanwhile, not once per attempt
        assertThat(said).hasSize(1);
        assertThat(said.get(0)).contains("nothing listens at 127.0.0.1:" + port).endsWith("trying again for 2 s (startup.timeout)");
    }

    @Test
    void shouldSayThatAListenerDoesNotAnswerAsKafka() throws Exception {
        // given a port that accepts connections and never answers (a listener of another protocol, or a stuck broker)
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            final List<Socket> accepted = new ArrayList<>();
            final Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        accepted.add(silent.accept());
                    }
                } catch (final IOException closed) {
                    // the test is over
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();

            // when a command waits 3 s for it, then
            assertThatThrownBy(() -> reach("127.0.0.1:" + silent.getLocalPort()).await(Duration.ofSeconds(3), line -> { }))
                    .hasMessageContaining("127.0.0.1:" + silent.getLocalPort() + " accepts connections but does not answer as a Kafka broker")
                    .hasMessageContaining("kafka.security.protocol PLAINTEXT")
                    .hasMessageContaining("advertised.listeners");
        }
    }

    static Stream<Arguments> failures() {
        return Stream.of(
                Arguments.of(new SaslAuthenticationException("Authentication failed: Invalid username or password"), true,
                        List.of("refused the credentials", "kafka.sasl.jaas.config", "kafka.sasl.mechanism", "Invalid username or password")),
                Arguments.of(new SslAuthenticationException("SSL handshake failed", new IOException("PKIX path building failed")), true,
                        List.of("TLS handshake with broker:9093 failed", "kafka.ssl.truststore.location", "PKIX path building failed")),
                Arguments.of(new ConfigException("Invalid value PLAINTXT for configuration security.protocol"), true,
                        List.of("not a valid client configuration", "PLAINTXT")),
                Arguments.of(new TimeoutException("Timed out waiting for a node assignment"), false,
                        List.of("broker:9093 accepts connections but does not answer as a Kafka broker", "kafka.security.protocol SASL_SSL")));
    }

    @ParameterizedTest
    @MethodSource("failures")
    void shouldNameTheSettingsThatDecideEachFailure(final Exception failure, final boolean lasting, final List<String> words) {
        final ClusterReach reach = new ClusterReach(Map.of("bootstrap.servers", "broker:9093", "security.protocol", "SASL_SSL"), SOURCE);

        final ClusterReach.Problem p = reach.explain(failure, "broker:9093");

        assertThat(p.lasting()).isEqualTo(lasting);
        assertThat(p.text()).contains(words).contains(SOURCE).doesNotContain("\n");
    }
}
