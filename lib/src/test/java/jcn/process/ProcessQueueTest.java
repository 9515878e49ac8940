package jcn.process;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProcessQueueTest {

    record Reading(String sensor, double value) implements Serializable {
    }

    @Test
    void aChildWritesTheParentReadsToTheEndMark() throws Exception {
        try (ProcessQueue<Integer> queue = ProcessQueue.create()) {
            ChildProcess<Void> writer = ChildProcess.<Void>start(() -> {
                for (int i = 0; i < 10_000; i++) {
                    queue.put(i);
                }
                queue.putEnd();
                return null;
            });
            List<Integer> got = new ArrayList<>();
            for (int item : queue) {
                got.add(item);
            }
            writer.result();
            assertEquals(10_000, got.size());
            for (int i = 0; i < got.size(); i++) {
                assertEquals(i, got.get(i));
            }
        }
    }

    @Test
    void siblingsTalkAndResultsComeBackThroughAQueue() throws Exception {
        try (ProcessQueue<Object> work = ProcessQueue.create(); ProcessQueue<Reading> results = ProcessQueue.create()) {
            ChildProcess<Integer> reader = ChildProcess.start(() -> {
                int n = 0;
                for (Object item : work) {
                    results.put(new Reading((String) item, n++));
                }
                return n;
            });
            ChildProcess<Void> writer = ChildProcess.<Void>start(() -> {
                for (String s : List.of("a", "b", "c")) {
                    work.put(s);
                }
                work.putEnd();
                return null;
            });
            writer.result();
            assertEquals(3, reader.result());
            assertEquals(new Reading("a", 0), results.get(Duration.ofSeconds(10)));
            assertEquals(new Reading("b", 1), results.get(Duration.ofSeconds(10)));
            assertEquals(new Reading("c", 2), results.get(Duration.ofSeconds(10)));
        }
    }

    @Test
    void aBoundedQueueBlocksTheWriterUntilSomeoneReads() throws Exception {
        try (ProcessQueue<Integer> queue = ProcessQueue.create(3)) {
            ChildProcess<Long> writer = ChildProcess.start(() -> {
                long start = System.nanoTime();
                for (int i = 0; i < 5; i++) {
                    queue.put(i);
                }
                return (System.nanoTime() - start) / 1_000_000;
            });
            Thread.sleep(1000);
            assertTrue(writer.isAlive(), "the writer waits: 5 items do not fit in 3");
            assertTrue(queue.size() <= 3, "never more than the capacity: " + queue.size());
            List<Integer> got = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                got.add(queue.get(Duration.ofSeconds(10)));
            }
            assertEquals(List.of(0, 1, 2, 3, 4), got);
            assertTrue(writer.result() >= 500, "the writer was blocked until the parent read");
        }
    }

    @Test
    void getTimesOutAndAnEndlessReaderIsStoppedFromTheParent() throws Exception {
        try (ProcessQueue<String> queue = ProcessQueue.create()) {
            assertThrows(TimeoutException.class, () -> queue.get(Duration.ofMillis(100)));
            ChildProcess<Void> endless = ChildProcess.<Void>start(() -> {
                while (true) {
                    System.out.println("got " + queue.get());
                }
            });
            queue.put("one");
            Thread.sleep(500);
            endless.terminate();
            assertTrue(endless.join(Duration.ofSeconds(5)));
            assertEquals(143, endless.exitCode().getAsInt());
        }
    }

    @Test
    void badUseIsRefused() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> ProcessQueue.create(0));
        ProcessQueue<Object> queue = ProcessQueue.create();
        assertThrows(NullPointerException.class, () -> queue.put(null));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> queue.put(new Object() {
        }));
        assertTrue(e.getMessage().contains("not Serializable"), e.getMessage());
        queue.put("x");
        queue.putEnd();
        assertEquals("x", queue.get());
        assertNull(queue.get());
        queue.close();
        IllegalStateException closed = assertThrows(IllegalStateException.class, () -> queue.put("y"));
        assertTrue(closed.getMessage().contains("closed"), closed.getMessage());
    }

    @Test
    void itemsOffTheAllowListAreRefused() throws Exception {
        try (ProcessQueue<Object> queue = ProcessQueue.create()) {
            queue.put(new java.net.InetSocketAddress(80));
            java.io.UncheckedIOException e = assertThrows(java.io.UncheckedIOException.class, queue::get);
            assertTrue(e.getMessage().contains("java.net.InetSocketAddress") && e.getMessage().contains("allow-list"),
                    e.getMessage());
        }
    }
}
