package dev.rebound.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rebound.classify.ErrorCategory;
import dev.rebound.classify.MessagePattern;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Reads {@code classification.patterns}: message patterns tried before the HTTP status (DESIGN §6). */
final class PatternLoader {

    private PatternLoader() {
    }

    static List<MessagePattern> patterns(final Section top) {
        final List<MessagePattern> out = new ArrayList<>();
        final JsonNode list = top.raw("classification");
        if (list == null) {
            return out;
        }
        final JsonNode patterns = list.path("patterns");
        if (!patterns.isArray()) {
            throw new ConfigException("classification.patterns", "must be a list of {pattern, category}");
        }
        int i = 0;
        for (final JsonNode p : patterns) {
            final String at = "classification.patterns[" + i++ + "]";
            final String regex = p.path("pattern").asText(null);
            final String category = p.path("category").asText(null);
            if (regex == null || category == null) {
                throw new ConfigException(at, "needs 'pattern' and 'category'");
            }
            try {
                out.add(new MessagePattern(Pattern.compile(regex), ErrorCategory.valueOf(category.toUpperCase(Locale.ROOT))));
            } catch (final PatternSyntaxException e) {
                throw new ConfigException(at + ".pattern", "is not a valid regular expression: " + e.getDescription());
            } catch (final IllegalArgumentException e) {
                throw new ConfigException(at + ".category", "'" + category + "' is not a category; use one of " + List.of(ErrorCategory.values()));
            }
        }
        return out;
    }
}
