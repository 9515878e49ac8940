package jcn.timing;

import org.junit.jupiter.api.Test;
import tech.tablesaw.api.Table;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TimelineTest {

    private static void sleepTwice(ExecutorService executor, Timeline timeline) throws Exception {
        for (int i = 0; i < 2; i++) {
            int n = i;
            executor.submit(() -> timeline.record("nap " + n, () -> {
                Thread.sleep(150);
                return null;
            }));
        }
        executor.shutdown();
        assertTrue(executor.awaitTermination(10, TimeUnit.SECONDS));
    }

    @Test
    void twoSleepingTasksOnTwoThreadsOverlap() throws Exception {
        Timeline timeline = Timeline.start();
        sleepTwice(Executors.newFixedThreadPool(2), timeline);
        List<Timeline.Span> spans = timeline.spans();
        assertEquals(2, spans.size());
        assertEquals(2, timeline.lanes().size());
        assertTrue(spans.get(1).start().compareTo(spans.get(0).end()) < 0, "the second started before the first ended");
        assertTrue(timeline.anyOverlap());
        assertTrue(timeline.span().toMillis() < 290, "two 150 ms naps in parallel took " + timeline.span());
    }

    @Test
    void twoSleepingTasksOnOneThreadDoNotOverlap() throws Exception {
        Timeline timeline = Timeline.start();
        sleepTwice(Executors.newSingleThreadExecutor(), timeline);
        List<Timeline.Span> spans = timeline.spans();
        assertEquals(1, timeline.lanes().size());
        assertTrue(spans.get(1).start().compareTo(spans.get(0).end()) >= 0, "the second waited for the first");
        assertFalse(timeline.anyOverlap());
        assertTrue(timeline.span().toMillis() >= 300, "two 150 ms naps in series took " + timeline.span());
    }

    @Test
    void aBarThatEndsBeforeItStartsIsRefused() {
        Timeline timeline = Timeline.start();
        long now = System.nanoTime();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> timeline.add("worker-1", "task 0", now, now - 1_000));
        assertTrue(e.getMessage().contains("ends at") && e.getMessage().contains("before it starts"), e.getMessage());
    }

    @Test
    void aSpanIsRecordedEvenWhenTheTaskThrows() {
        Timeline timeline = Timeline.start();
        assertThrows(IllegalStateException.class, () -> timeline.record("lane", "boom", () -> {
            throw new IllegalStateException("boom");
        }));
        assertEquals(1, timeline.spans().size());
    }

    @Test
    void theTableListsEverySpanInMilliseconds() {
        Timeline timeline = Timeline.start();
        long o = timeline.originNanos();
        timeline.add("a", "t0", o, o + 2_000_000);
        timeline.add("b", "t1", o + 1_000_000, o + 4_500_000);
        Table table = timeline.table("spans");
        assertEquals(2, table.rowCount());
        assertEquals(List.of("lane", "task", "start ms", "end ms", "took ms"), table.columnNames());
        assertEquals(3.5, table.doubleColumn("took ms").get(1), 1e-9);
        assertEquals(Duration.ofMillis(4).plusNanos(500_000), timeline.span());
    }

    @Test
    void recordingOverheadIsSmall() {
        // The Javadoc states the cost per span; this keeps the statement honest within a wide margin.
        Timeline timeline = Timeline.start();
        int n = 200_000;
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            long s = System.nanoTime();
            timeline.add("lane", "x", s, System.nanoTime());
        }
        double nanosPerSpan = (System.nanoTime() - t0) / (double) n;
        System.out.printf("Timeline: %.0f ns per recorded span%n", nanosPerSpan);
        assertTrue(nanosPerSpan < 5_000, nanosPerSpan + " ns per span");
    }
}
