package dev.rebound.config;

import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Replaces configured secrets (header values, Kafka passwords) with {@code ***} in any text:
 * error messages, response bodies, whole serialized records. Both the raw and the JSON-escaped
 * spelling are replaced, so a secret cannot survive by being quoted. Longest secrets go first so
 * that a secret containing another is replaced whole.
 */
public final class Redactor implements UnaryOperator<String> {

    /** Secrets shorter than this are not redacted: replacing "1" everywhere would destroy messages. */
    static final int MIN_SECRET_LENGTH = 6;
    private static final String MASK = "***";

    private final List<String> secrets;

    public Redactor(final Set<String> secrets) {
        final Set<String> forms = new LinkedHashSet<>();
        for (final String s : secrets) {
            if (s != null && s.length() >= MIN_SECRET_LENGTH) {
                forms.add(s);
                forms.add(jsonEscaped(s));
                // "Bearer sk-..." : the token alone is just as secret as the header value
                final int space = s.lastIndexOf(' ');
                if (space > 0 && s.length() - space - 1 >= MIN_SECRET_LENGTH) {
                    forms.add(s.substring(space + 1));
                }
            }
        }
        this.secrets = forms.stream().sorted(Comparator.comparingInt(String::length).reversed()).toList();
    }

    public static Redactor none() {
        return new Redactor(Set.of());
    }

    @Override
    public String apply(final String text) {
        if (text == null || secrets.isEmpty()) {
            return text;
        }
        String out = text;
        for (final String s : secrets) {
            if (out.contains(s)) {
                out = out.replace(s, MASK);
            }
        }
        return out;
    }

    private static String jsonEscaped(final String s) {
        final StringBuilder b = new StringBuilder();
        for (final char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '/' -> b.append('/');
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }
}
