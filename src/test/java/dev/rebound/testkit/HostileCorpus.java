package dev.rebound.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The hostile-input corpus in {@code src/test/resources/hostile}: one file per bad record, and
 * {@code index.tsv} with the reason each must be dead-lettered with and a fragment of the message.
 */
public final class HostileCorpus {

    /** One bad record. */
    public record Case(String name, byte[] value, String reason, String fragment) {
        @Override
        public String toString() {
            return name;
        }
    }

    private HostileCorpus() {
    }

    public static List<Case> cases() {
        final List<Case> out = new ArrayList<>();
        for (final String line : read("index.tsv").split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            final String[] f = line.split("\t");
            out.add(new Case(f[0], bytes(f[0]), f[1], f[2]));
        }
        return out;
    }

    private static String read(final String name) {
        return new String(bytes(name), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(final String name) {
        try (InputStream in = HostileCorpus.class.getResourceAsStream("/hostile/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing hostile/" + name);
            }
            return in.readAllBytes();
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
