package dev.rebound.cli;

/** How {@code rebound run} writes its log to the console: {@code --log-format text|json}. */
public enum LogFormat {
    /** One readable line per event ({@code logback.xml}). */
    TEXT,
    /** One JSON object per line, for log shippers ({@code logback-json.xml}, Logback's own {@code JsonEncoder}). */
    JSON
}
