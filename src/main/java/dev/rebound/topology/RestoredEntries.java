package dev.rebound.topology;

import dev.rebound.lifecycle.InFlightEntry;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.BiConsumer;

/**
 * The walk over a task's in-flight store after it was (re)assigned: every entry restored from the
 * changelog is handed out once, a bounded number per tick, so that a large store is worked off
 * over several ticks instead of stalling one.
 */
final class RestoredEntries {

    private static final Logger LOG = LoggerFactory.getLogger(RestoredEntries.class);

    private final InFlightStore store;
    private final String task;
    /** The last entry handed out: "" before the first, {@code null} once the walk is over. */
    private String after = "";

    RestoredEntries(final InFlightStore store, final String task) {
        this.store = store;
        this.task = task;
    }

    boolean done() {
        return after == null;
    }

    boolean atStart() {
        return "".equals(after);
    }

    /**
     * Hands the next {@code max} entries to {@code each} (which keeps its own failure boundaries).
     * An entry that cannot even be read ends the walk rather than failing on it every tick: the
     * rest are resumed after the next restart.
     */
    void next(final int max, final BiConsumer<String, InFlightEntry> each) {
        if (done()) {
            return;
        }
        try (KeyValueIterator<String, InFlightEntry> it = store.from(after)) {
            int seen = 0;
            String last = null;
            while (it.hasNext() && seen < max) {
                final KeyValue<String, InFlightEntry> kv = it.next();
                if (kv.key.equals(after)) {
                    continue;
                }
                seen++;
                last = kv.key;
                if (kv.value != null) {
                    each.accept(kv.key, kv.value);
                }
            }
            after = seen < max ? null : last;
        } catch (final StreamsException e) {
            throw e;
        } catch (final RuntimeException e) {
            LOG.error("task {}: resuming restored in-flight entries failed after '{}'; the rest resume after a restart", task, after, e);
            after = null;
        }
    }
}
