package jcn.timing;

import java.time.Duration;
import java.util.Objects;

/**
 * A result together with how long it took to compute, as {@link Stopwatch#time} returns it.
 *
 * @param value   what the timed block returned (null for a block that returns nothing)
 * @param elapsed the block's wall-clock time on a monotonic clock
 * @param <T>     the result type
 */
public record Timed<T>(T value, Duration elapsed) {

    /** Checks that {@code elapsed} is present and not negative. */
    public Timed {
        Objects.requireNonNull(elapsed, "elapsed");
        if (elapsed.isNegative()) {
            throw new IllegalArgumentException("elapsed time cannot be negative: " + elapsed);
        }
    }

    /** The elapsed time in milliseconds, with fractions. */
    public double millis() {
        return elapsed.toNanos() / 1e6;
    }

    @Override
    public String toString() {
        return value + " in " + Format.duration(elapsed);
    }
}
