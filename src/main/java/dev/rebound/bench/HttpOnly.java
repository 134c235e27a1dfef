package dev.rebound.bench;

import dev.rebound.execute.CallDispatcher;
import dev.rebound.execute.CallSpec;
import dev.rebound.execute.TargetPool;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code concurrency}'s third comparison: the same calls without Kafka. A dispatcher of Rebound's
 * own, over the very target pool Rebound ran with (its HTTP executor, client, open connections and
 * slots, idle while Rebound is paused), calls the same simulator with the same {@code maxInFlight},
 * fed from memory and drained by a loop, so its rate is what this machine's HTTP stack (client, loopback,
 * simulator, all in this JVM) allows, the ceiling under Little's bound that no Kafka application
 * here can pass. {@code ratioToHttpOnly} then says what the Kafka half of Rebound costs.
 */
final class HttpOnly {

    private HttpOnly() {
    }

    /** The median rate of {@link Rounds#MEASURED} rounds of {@code n} calls to {@code target}, after one uncounted round. */
    static double perSec(final BenchContext ctx, final TargetPool pool, final String target, final int n) {
        round(ctx, pool, target, n, "HTTP only warm-up");
        final List<Double> rates = new ArrayList<>();
        for (int r = 1; r <= Rounds.MEASURED; r++) {
            rates.add(round(ctx, pool, target, n, "HTTP only round " + r + "/" + Rounds.MEASURED));
        }
        ctx.note("HTTP only, " + n + " calls a round: " + rates.stream().map(Math::round).toList() + " calls/s");
        return Rounds.median(rates);
    }

    private static double round(final BenchContext ctx, final TargetPool pool, final String target, final int n, final String label) {
        final CallDispatcher dispatcher = new CallDispatcher(pool::executor, pool::slots);
        try {
            final long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                final String id = label.replace(' ', '-') + "-" + i;
                dispatcher.submit(new CallSpec(id, target, 1, ("{\"q\":\"" + id + "\"}").getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(10)));
            }
            int done = 0;
            long lastProgress = 0;
            while (done < n) {
                done += dispatcher.drain(c -> { }, n);
                dispatcher.startWaiting();
                if (System.nanoTime() - lastProgress > 500_000_000L) {
                    ctx.progress(label + ": " + done + "/" + n);
                    lastProgress = System.nanoTime();
                }
                LockSupport.parkNanos(1_000_000L);
                if (System.nanoTime() - start > Duration.ofSeconds(120).toNanos()) {
                    throw new IllegalStateException(label + ": only " + done + " of " + n + " calls ended in 120 s");
                }
            }
            return n / ((System.nanoTime() - start) / 1e9);
        } finally {
            dispatcher.close();
        }
    }
}
