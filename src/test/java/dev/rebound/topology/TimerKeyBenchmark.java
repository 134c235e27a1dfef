package dev.rebound.topology;

import org.apache.kafka.common.utils.Bytes;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.time.Instant;
import java.util.concurrent.TimeUnit;

/** The timer store's key encoding, done for every retry scheduled and every timer fired. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TimerKeyBenchmark {

    private final Instant due = Instant.parse("2026-11-29T12:00:00Z");
    private final Bytes key = TimerKey.of(due, "req-7f3a~r2.41");

    @Benchmark
    public Bytes encode() {
        return TimerKey.of(due, "req-7f3a~r2.41");
    }

    @Benchmark
    public String decode() {
        return TimerKey.id(key) + TimerKey.due(key).toEpochMilli();
    }
}
