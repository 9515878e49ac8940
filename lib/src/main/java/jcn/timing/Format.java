package jcn.timing;

import java.time.Duration;

/**
 * Formats durations for people: three significant figures in the unit that fits, so
 * {@code 0.000123456 s} reads "123 µs" and a table of times can be scanned at a glance.
 */
public final class Format {

    private Format() {
    }

    /** {@code d} as "850 ns", "12.3 µs", "4.56 ms" or "1.23 s". */
    public static String duration(Duration d) {
        long nanos = d.toNanos();
        double abs = Math.abs((double) nanos);
        if (abs < 1_000) {
            return nanos + " ns";
        } else if (abs < 1_000_000) {
            return sig3(nanos / 1e3) + " µs";
        } else if (abs < 1_000_000_000) {
            return sig3(nanos / 1e6) + " ms";
        }
        return sig3(nanos / 1e9) + " s";
    }

    /** {@code d} in milliseconds rounded to three significant figures (at least 0.001 ms resolution). */
    public static double millis(Duration d) {
        double ms = d.toNanos() / 1e6;
        return Double.parseDouble(sig3(ms));
    }

    /** {@code value} with three significant figures, as text. */
    public static String sig3(double value) {
        if (value == 0 || Double.isNaN(value) || Double.isInfinite(value)) {
            return String.valueOf(value == 0 ? 0 : value);
        }
        double abs = Math.abs(value);
        int decimals = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
        return String.format(java.util.Locale.ROOT, "%." + decimals + "f", value);
    }
}
