package jcn.timing;

import org.junit.jupiter.api.Test;
import tech.tablesaw.api.Table;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MeasurementTest {

    @Test
    void warmUpRunsAreNotMeasuredAndStatisticsAreOrdered() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        Measurement m = Measurement.of("nap", 2, 5, () -> {
            calls.incrementAndGet();
            Thread.sleep(5);
        });
        assertEquals(7, calls.get());
        assertEquals(5, m.count());
        assertTrue(m.min().compareTo(m.median()) <= 0 && m.median().compareTo(m.max()) <= 0);
        assertTrue(m.min().toMillis() >= 5, "a 5 ms sleep measured as " + m.min());
        Table t = Measurement.table("naps", m);
        assertEquals(1, t.rowCount());
        assertEquals("nap", t.stringColumn("what").get(0));
    }

    @Test
    void stopwatchKeepsTheResult() throws Exception {
        Timed<String> timed = Stopwatch.time(() -> {
            Thread.sleep(20);
            return "value";
        });
        assertEquals("value", timed.value());
        assertTrue(timed.millis() >= 20);
    }

    @Test
    void badArgumentsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Measurement.of("x", -1, 3, () -> { }));
        assertThrows(IllegalArgumentException.class, () -> Measurement.of("x", 0, 0, () -> { }));
        assertThrows(NullPointerException.class, () -> Stopwatch.time((Block) null));
    }

    @Test
    void durationsAreFormattedInTheUnitThatFits() {
        assertEquals("850 ns", Format.duration(Duration.ofNanos(850)));
        assertEquals("12.3 µs", Format.duration(Duration.ofNanos(12_345)));
        assertEquals("4.57 ms", Format.duration(Duration.ofNanos(4_567_000)));
        assertEquals("1.23 s", Format.duration(Duration.ofMillis(1_234)));
        assertEquals(123.0, Format.millis(Duration.ofNanos(123_456_789)));
    }
}
