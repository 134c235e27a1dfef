package dev.rebound.config;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Where terminal records may go ({@code results:} in the configuration, DESIGN §2 {@code replyTo}).
 * A request may name a reply topic for its result only if the name matches one of these glob
 * patterns, so that each agent service can read only its own results while a request can never
 * write into an arbitrary topic (another service's, or one of Rebound's own). Names are full topic
 * names: the topic prefix is not added, and a pattern that should cover it spells it out.
 *
 * @param replyTopics glob patterns ({@code *} matches any run of characters, nothing else is
 *                    special), e.g. {@code agent-results-*}; empty (the default) allows no reply topic
 */
public record ResultSettings(List<String> replyTopics) {

    public static final ResultSettings DEFAULT = new ResultSettings(List.of());
    /** What a topic name (and so a pattern, less its {@code *}) may contain: Kafka's legal characters. */
    private static final Pattern LEGAL = Pattern.compile("[A-Za-z0-9._*-]{1,249}");

    public ResultSettings {
        replyTopics = List.copyOf(replyTopics);
        for (int i = 0; i < replyTopics.size(); i++) {
            if (!LEGAL.matcher(replyTopics.get(i)).matches()) {
                throw new ConfigException("results.replyTopics[" + i + "]",
                        "must be a topic name or glob such as agent-results-* (letters, digits, '.', '_', '-', '*'), was '"
                                + replyTopics.get(i) + "'");
            }
        }
    }

    /** Whether a request may name {@code topic} as its {@code replyTo}. */
    public boolean allows(final String topic) {
        return topic != null && LEGAL.matcher(topic).matches() && !topic.contains("*")
                && replyTopics.stream().anyMatch(p -> glob(p).matcher(topic).matches());
    }

    private static Pattern glob(final String pattern) {
        final StringBuilder regex = new StringBuilder();
        for (final String part : pattern.split("\\*", -1)) {
            if (!regex.isEmpty()) {
                regex.append(".*");
            }
            regex.append(Pattern.quote(part));
        }
        return Pattern.compile(regex.toString());
    }
}
