package dev.rebound.testkit;

import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Which broker the integration tests get, and why: a container of {@link ContainerBroker#IMAGE}
 * from Testcontainers where a Docker engine answers, the in-process KRaft broker otherwise. The
 * system property {@value #PROPERTY} ({@code auto}, the default; {@code embedded};
 * {@code testcontainers}) forces the choice; when it does, Docker is not asked at all, so a forced
 * in-process run costs nothing and a forced container run fails loudly instead of falling back.
 *
 * @param kind   the broker to start
 * @param reason why, for the line that says which broker ran
 */
public record BrokerChoice(Kind kind, String reason) {

    public static final String PROPERTY = "rebound.test.broker";

    /** Where the broker runs. */
    public enum Kind { EMBEDDED, TESTCONTAINERS }

    /**
     * Decides from the property's value ({@code null} when unset) and, only when the value leaves
     * the choice open, from {@code dockerUnavailable}: empty when a Docker engine answered, else why not.
     *
     * @throws IllegalArgumentException naming the property, for a value it does not know
     */
    public static BrokerChoice decide(final String forced, final Supplier<Optional<String>> dockerUnavailable) {
        final String value = forced == null ? "auto" : forced.trim().toLowerCase(Locale.ROOT);
        switch (value) {
            case "embedded":
                return new BrokerChoice(Kind.EMBEDDED, "forced by -D" + PROPERTY + "=embedded");
            case "testcontainers":
                return new BrokerChoice(Kind.TESTCONTAINERS, "forced by -D" + PROPERTY + "=testcontainers");
            case "", "auto":
                return dockerUnavailable.get()
                        .map(why -> new BrokerChoice(Kind.EMBEDDED, "no Docker engine: " + why))
                        .orElseGet(() -> new BrokerChoice(Kind.TESTCONTAINERS, "a Docker engine answered"));
            default:
                throw new IllegalArgumentException(PROPERTY + " must be auto, embedded or testcontainers, was '" + forced + "'");
        }
    }

    /** The line printed once per test JVM, e.g. {@code SharedKafka: broker = in-process KRaft (no Docker engine: ...)}. */
    public String line() {
        final String broker = kind == Kind.EMBEDDED ? "in-process KRaft" : "Testcontainers " + ContainerBroker.IMAGE + " (KRaft)";
        return "SharedKafka: broker = " + broker + " (" + reason + ")";
    }
}
