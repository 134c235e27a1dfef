package dev.rebound.request;

import java.util.Locale;
import java.util.Optional;

/**
 * A request's {@code priority} (DESIGN §2, §7): waiting requests of a target start in this order,
 * and a {@code LOW} one is not admitted while {@code HIGH} ones wait for the same target.
 */
public enum Priority {
    HIGH, NORMAL, LOW;

    /** The name a request uses: {@code high}, {@code normal}, {@code low}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The priority named {@code text} as a request spells it, if it is one. */
    public static Optional<Priority> of(final String text) {
        for (final Priority p : values()) {
            if (p.label().equals(text)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
