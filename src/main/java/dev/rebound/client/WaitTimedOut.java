package dev.rebound.client;

import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * The client stopped waiting for a request's outcome; the request itself goes on. Rebound still
 * writes its one terminal record (by the request's deadline at the latest), and
 * {@code client.attach(e.key(), e.id())} from this or any other process finds it.
 */
public final class WaitTimedOut extends TimeoutException {

    private static final long serialVersionUID = 1L;

    private final String key;
    private final String id;

    WaitTimedOut(final String key, final String id, final Duration waited) {
        super("no outcome for request '" + id + "' (key '" + key + "') within " + waited
                + "; the request goes on: attach(key, id) finds its outcome later");
        this.key = key;
        this.id = id;
    }

    /** The request's key, for {@link ReboundClient#attach(String, String)}. */
    public String key() {
        return key;
    }

    /** The request's id. */
    public String id() {
        return id;
    }
}
