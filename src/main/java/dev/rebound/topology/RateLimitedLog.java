package dev.rebound.topology;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/** Says whether a log line about a key may be written now: at most once per {@code every} and key. Stream-thread only. */
final class RateLimitedLog {

    private final Duration every;
    private final Map<String, Instant> last = new HashMap<>();

    RateLimitedLog(final Duration every) {
        this.every = every;
    }

    /** True, and remembers {@code now}, when nothing was logged for {@code key} within {@code every}. */
    boolean due(final String key, final Instant now) {
        final Instant before = last.get(key);
        if (before != null && now.isBefore(before.plus(every))) {
            return false;
        }
        last.put(key, now);
        return true;
    }
}
