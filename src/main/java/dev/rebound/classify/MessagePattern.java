package dev.rebound.classify;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An operator-registered rule: when an error message matches {@code pattern}, the failure is
 * {@code category}. Registered patterns are consulted before the HTTP status, so a provider that
 * says "model is overloaded" with a 400 can be taught to mean {@link ErrorCategory#SERVER_ERROR}.
 */
public record MessagePattern(Pattern pattern, ErrorCategory category) {

    public MessagePattern {
        Objects.requireNonNull(pattern, "pattern");
        Objects.requireNonNull(category, "category");
    }

    public boolean matches(final String message) {
        return pattern.matcher(message).find();
    }
}
