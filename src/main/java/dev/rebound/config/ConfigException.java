package dev.rebound.config;

/** A configuration error, naming the field at fault (e.g. {@code targets.openai-chat.timeout}). */
public final class ConfigException extends RuntimeException {

    private final String field;

    public ConfigException(final String field, final String problem) {
        super(field + ": " + problem);
        this.field = field;
    }

    /** The dotted path of the offending field. */
    public String field() {
        return field;
    }
}
