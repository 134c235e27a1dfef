package dev.rebound.topology;

import dev.rebound.lifecycle.InFlightEntry;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import java.util.HashMap;
import java.util.Map;

/**
 * The in-flight store with the entries of running attempts also kept as objects: a finished call
 * reads its entry back without deserializing it (a fifth of the stream thread's time per request
 * before). Every write still goes to the store (and its changelog), so nothing depends on the
 * objects surviving; waiting entries are left to the store alone, which keeps the objects bounded
 * by the calls running, not by the retries pending.
 */
final class InFlightStore {

    private final KeyValueStore<String, InFlightEntry> store;
    private final Map<String, InFlightEntry> running = new HashMap<>();

    InFlightStore(final KeyValueStore<String, InFlightEntry> store) {
        this.store = store;
    }

    InFlightEntry get(final String id) {
        final InFlightEntry e = running.get(id);
        return e != null ? e : store.get(id);
    }

    /** The entry, or {@code null} when it cannot even be read (it is then left alone and the failure logged). */
    InFlightEntry readable(final String id) {
        try {
            return get(id);
        } catch (final org.apache.kafka.streams.errors.StreamsException e) {
            throw e;
        } catch (final RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(InFlightStore.class).error("in-flight entry of request {} cannot be read", id, e);
            return null;
        }
    }

    void put(final String id, final InFlightEntry entry) {
        store.put(id, entry);
        if (entry.waiting()) {
            running.remove(id);
        } else {
            running.put(id, entry);
        }
    }

    /** A put of {@code null}: the same tombstone as {@code delete}, without reading and deserializing the old value first. */
    void delete(final String id) {
        store.put(id, null);
        running.remove(id);
    }

    KeyValueIterator<String, InFlightEntry> all() {
        return store.all();
    }

    /** The entries from {@code id} on, in key order ({@code ""}: all of them). */
    KeyValueIterator<String, InFlightEntry> from(final String id) {
        return id.isEmpty() ? store.all() : store.range(id, null);
    }
}
