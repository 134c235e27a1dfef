package dev.rebound.testkit;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The choice of the integration tests' broker, and the Docker probe it rests on, without a broker or Docker. */
class BrokerChoiceTest {

    private final AtomicInteger asked = new AtomicInteger();

    private Supplier<Optional<String>> docker(final Optional<String> answer) {
        return () -> {
            asked.incrementAndGet();
            return answer;
        };
    }

    @Test
    void shouldTakeTheContainerWhenDockerAnswers() {
        final BrokerChoice choice = BrokerChoice.decide(null, docker(Optional.empty()));

        assertThat(choice.kind()).isEqualTo(BrokerChoice.Kind.TESTCONTAINERS);
        assertThat(choice.line()).isEqualTo("SharedKafka: broker = Testcontainers apache/kafka:4.1.0 (KRaft) (a Docker engine answered)");
        assertThat(asked).hasValue(1);
    }

    @Test
    void shouldFallBackToTheInProcessBrokerAndSayWhyWhenDockerDoesNotAnswer() {
        final BrokerChoice choice = BrokerChoice.decide("auto", docker(Optional.of("DOCKER_HOST unset")));

        assertThat(choice.kind()).isEqualTo(BrokerChoice.Kind.EMBEDDED);
        assertThat(choice.line()).isEqualTo("SharedKafka: broker = in-process KRaft (no Docker engine: DOCKER_HOST unset)");
    }

    @Test
    void shouldNotAskDockerWhenThePropertyForcesTheChoice() {
        assertThat(BrokerChoice.decide(" Embedded ", docker(Optional.empty())).kind()).isEqualTo(BrokerChoice.Kind.EMBEDDED);
        assertThat(BrokerChoice.decide("testcontainers", docker(Optional.of("none"))).kind())
                .isEqualTo(BrokerChoice.Kind.TESTCONTAINERS);
        assertThat(BrokerChoice.decide("embedded", docker(Optional.empty())).reason())
                .isEqualTo("forced by -Drebound.test.broker=embedded");
        assertThat(asked).hasValue(0);
    }

    @Test
    void shouldNameThePropertyForAnUnknownValue() {
        assertThatThrownBy(() -> BrokerChoice.decide("podman", docker(Optional.empty())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("rebound.test.broker must be auto, embedded or testcontainers, was 'podman'");
    }

    @Test
    void shouldAskDockerOnceAndKeepTheAnswer() {
        final DockerProbe probe = new DockerProbe(() -> asked.incrementAndGet() < 0, Duration.ofSeconds(5));

        final Optional<String> first = probe.unavailableReason();
        final Optional<String> second = probe.unavailableReason();

        assertThat(first).isPresent().isEqualTo(second);
        assertThat(asked).hasValue(1);
    }

    @Test
    void shouldAnswerNoWithinTheBoundWhenDockerHangs() {
        final CountDownLatch never = new CountDownLatch(1);
        final DockerProbe probe = new DockerProbe(() -> {
            never.await();
            return true;
        }, Duration.ofMillis(200));

        final long start = System.nanoTime();
        final Optional<String> reason = probe.unavailableReason();

        assertThat(reason).hasValue("no answer within 200 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void shouldGiveTheFailureAsTheReasonWhenAskingThrows() {
        final DockerProbe probe = new DockerProbe(() -> {
            throw new IllegalStateException("Could not find a valid Docker environment");
        }, Duration.ofSeconds(5));

        assertThat(probe.unavailableReason()).hasValue("java.lang.IllegalStateException: Could not find a valid Docker environment");
    }

    @Test
    void shouldGetTheRealAnswerWellWithinTheBound() {
        // whatever this machine has, Testcontainers' own search must not hold the first integration test
        final long start = System.nanoTime();
        final Optional<String> reason = DockerProbe.testcontainers().unavailableReason();
        final Duration took = Duration.ofNanos(System.nanoTime() - start);

        System.out.println("DockerProbe: " + reason.map(r -> "no Docker engine: " + r).orElse("a Docker engine answered") + " in " + took.toMillis() + " ms");
        assertThat(took).isLessThan(DockerProbe.BOUND.plusSeconds(1));
    }
}
