package dev.rebound.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where a round's CPU went, by kind of thread: the process's CPU time alone cannot say whether
 * the application, the embedded broker, the HTTP client or the simulator spent it, since all run
 * in the benchmark's JVM. Threads are told apart by name; a thread that ended during the round is
 * missing, and the JVM's own threads (garbage collection, the JIT) are not Java threads: their
 * time shows in {@code other}, the process's total less the named threads'.
 */
final class CpuByThread {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final long process;
    private final Map<Long, Long> byThread;
    private final Map<Long, String> kinds;

    private CpuByThread(final long process, final Map<Long, Long> byThread, final Map<Long, String> kinds) {
        this.process = process;
        this.byThread = byThread;
        this.kinds = kinds;
    }

    /** The CPU time of the process and of every live thread now. */
    static CpuByThread now() {
        final Map<Long, Long> times = new LinkedHashMap<>();
        final Map<Long, String> kinds = new LinkedHashMap<>();
        final long[] ids = THREADS.getAllThreadIds();
        final ThreadInfo[] infos = THREADS.getThreadInfo(ids);
        for (int i = 0; i < ids.length; i++) {
            final long t = THREADS.getThreadCpuTime(ids[i]);
            if (infos[i] != null && t >= 0) {
                times.put(ids[i], t);
                kinds.put(ids[i], kind(infos[i].getThreadName()));
            }
        }
        return new CpuByThread(Rounds.processCpuNanos(), times, kinds);
    }

    /** The process's CPU time since {@code before}, in nanoseconds. */
    long processNanosSince(final CpuByThread before) {
        return process - before.process;
    }

    /** Microseconds of CPU per request since {@code before}, by kind of thread, for {@code requests} requests. */
    Map<String, Long> microsPerRequestSince(final CpuByThread before, final int requests) {
        final Map<String, Long> nanos = new TreeMap<>();
        long named = 0;
        for (final Map.Entry<Long, Long> e : byThread.entrySet()) {
            final long spent = e.getValue() - before.byThread.getOrDefault(e.getKey(), 0L);
            nanos.merge(kinds.get(e.getKey()), spent, Long::sum);
            named += spent;
        }
        nanos.put("other", Math.max(0, processNanosSince(before) - named));
        final Map<String, Long> micros = new LinkedHashMap<>();
        nanos.forEach((k, v) -> micros.put(k, Math.round(v / 1e3 / Math.max(1, requests))));
        return micros;
    }

    /** The kind of thread, by its name: the application's, the broker's, the HTTP client's, the simulator's, or the bench's own. */
    static String kind(final String name) {
        if (name.contains("StreamThread") || name.contains("-producer") || name.contains("-restore-consumer")) {
            return "streams";
        }
        if (name.startsWith("rebound-http") || name.startsWith("HttpClient")) {
            return "http";
        }
        if (name.startsWith("simulator") || name.startsWith("HTTP-Dispatcher")) {
            return "simulator";
        }
        if (name.startsWith("data-plane") || name.startsWith("kafka-") && !name.startsWith("kafka-producer") && !name.startsWith("kafka-coordinator")
                || name.startsWith("quorum") || name.startsWith("group-coordinator") || name.startsWith("broker-")
                || name.startsWith("TxnMarker") || name.startsWith("AddPartitionsToTxn") || name.startsWith("ExpirationReaper")
                || name.startsWith("transaction") || name.startsWith("LogDirFailure") || name.startsWith("controller-")) {
            return "broker";
        }
        return "bench";
    }
}
