package jcn.timing;

import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * Repeated timing of one block: a few warm-up runs that are thrown away (they pay for class
 * loading and the JIT), then measured runs summarised as min, median and max.
 *
 * <p>The median is the figure to quote: it ignores the odd run slowed by garbage collection or
 * by another process, and the min shows what the code can do on a quiet machine.
 */
public final class Measurement {

    private final String name;
    private final List<Duration> samples;

    private Measurement(String name, List<Duration> samples) {
        this.name = name;
        this.samples = List.copyOf(samples);
    }

    /**
     * Runs {@code block} {@code warmups} times unmeasured, then {@code runs} times measured.
     *
     * @throws IllegalArgumentException if {@code warmups} is negative or {@code runs} is less than 1
     */
    public static Measurement of(String name, int warmups, int runs, Block block) throws Exception {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(block, "block is null; pass the code to measure as a lambda");
        if (warmups < 0) {
            throw new IllegalArgumentException("warmups must be 0 or more, got " + warmups);
        }
        if (runs < 1) {
            throw new IllegalArgumentException("runs must be at least 1, got " + runs);
        }
        for (int i = 0; i < warmups; i++) {
            block.run();
        }
        List<Duration> samples = new ArrayList<>(runs);
        for (int i = 0; i < runs; i++) {
            samples.add(Stopwatch.time(block));
        }
        return new Measurement(name, samples);
    }

    /** Measures with 2 warm-up runs and 5 measured runs. */
    public static Measurement of(String name, Block block) throws Exception {
        return of(name, 2, 5, block);
    }

    /** What was measured. */
    public String name() {
        return name;
    }

    /** The measured runs in the order they ran. */
    public List<Duration> samples() {
        return samples;
    }

    /** The number of measured runs. */
    public int count() {
        return samples.size();
    }

    /** The fastest run. */
    public Duration min() {
        return Collections.min(samples);
    }

    /** The slowest run. */
    public Duration max() {
        return Collections.max(samples);
    }

    /** The median run (the mean of the two middle runs for an even count). */
    public Duration median() {
        long[] nanos = samples.stream().mapToLong(Duration::toNanos).sorted().toArray();
        int mid = nanos.length / 2;
        return Duration.ofNanos(nanos.length % 2 == 1 ? nanos[mid] : (nanos[mid - 1] + nanos[mid]) / 2);
    }

    /** The median in milliseconds, with fractions. */
    public double medianMillis() {
        return median().toNanos() / 1e6;
    }

    @Override
    public String toString() {
        return name + ": median " + Format.duration(median()) + " (min " + Format.duration(min()) + ", max "
                + Format.duration(max()) + ", " + count() + " runs)";
    }

    /** One row per measurement: name, runs, min, median and max in milliseconds. */
    public static Table table(String title, List<Measurement> measurements) {
        Objects.requireNonNull(measurements, "measurements");
        return Table.create(title,
                StringColumn.create("what", measurements.stream().map(Measurement::name).toList()),
                IntColumn.create("runs", measurements.stream().mapToInt(Measurement::count).toArray()),
                DoubleColumn.create("min ms", measurements.stream().mapToDouble(m -> Format.millis(m.min())).toArray()),
                DoubleColumn.create("median ms", measurements.stream().mapToDouble(m -> Format.millis(m.median())).toArray()),
                DoubleColumn.create("max ms", measurements.stream().mapToDouble(m -> Format.millis(m.max())).toArray()));
    }

    /** {@link #table(String, List)} for a few measurements. */
    public static Table table(String title, Measurement... measurements) {
        return table(title, Arrays.asList(measurements));
    }
}
