package jcn.process;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Deadlines as {@link System#nanoTime()} values, shared by every wait of this package, so a
 * call that waits in several steps (a local lock, then a remote reply) spends one budget.
 */
final class Time {

    private Time() {
    }

    /** The {@code nanoTime} at which {@code timeout} from now runs out; saturates instead of overflowing. */
    static long deadline(Duration timeout) {
        long nanos = timeout.isNegative() ? 0 : saturated(timeout);
        long now = System.nanoTime();
        return nanos >= Long.MAX_VALUE - now ? Long.MAX_VALUE : now + nanos;
    }

    private static long saturated(Duration timeout) {
        try {
            return timeout.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    /** Nanoseconds left until {@code deadline}, never negative. */
    static long remaining(long deadline) {
        return Math.max(0, deadline - System.nanoTime());
    }

    /** {@code nanos} in whole milliseconds, at least 1, for {@code Object.wait} and {@code join}. */
    static long millis(long nanos) {
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos));
    }
}
