package jcn.timing;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Callable;

/**
 * Times blocks of code on {@link System#nanoTime()}, the JVM's monotonic clock, so a change of
 * the wall clock during a measurement cannot distort it.
 *
 * <p>Use the static {@link #time(Callable)} to time one block and keep its result, or an
 * instance as a running clock: {@link #start()}, then {@link #elapsed()} as often as needed.
 */
public final class Stopwatch {

    private final long startNanos;

    private Stopwatch(long startNanos) {
        this.startNanos = startNanos;
    }

    /** Starts a stopwatch now. */
    public static Stopwatch start() {
        return new Stopwatch(System.nanoTime());
    }

    /** Time since {@link #start()}. */
    public Duration elapsed() {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    /** Milliseconds since {@link #start()}, with fractions. */
    public double elapsedMillis() {
        return (System.nanoTime() - startNanos) / 1e6;
    }

    /**
     * Runs {@code block} once and returns its result with the time it took. An exception from
     * the block passes through unchanged.
     */
    public static <T> Timed<T> time(Callable<T> block) throws Exception {
        Objects.requireNonNull(block, "block is null; pass the code to time as a lambda");
        long start = System.nanoTime();
        T value = block.call();
        return new Timed<>(value, Duration.ofNanos(System.nanoTime() - start));
    }

    /** Runs {@code block} once and returns how long it took. */
    public static Duration time(Block block) throws Exception {
        Objects.requireNonNull(block, "block is null; pass the code to time as a lambda");
        long start = System.nanoTime();
        block.run();
        return Duration.ofNanos(System.nanoTime() - start);
    }
}
