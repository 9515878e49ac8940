package jcn.exec;

import jcn.timing.Timeline;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ThreadPoolTest {

    private static List<Integer> range(int n) {
        return IntStream.range(0, n).boxed().toList();
    }

    @Test
    void mapReturnsResultsInInputOrderEvenWhenLaterTasksFinishFirst() throws Exception {
        try (ThreadPool pool = ThreadPool.fixed(4)) {
            List<Integer> out = pool.map(i -> {
                Thread.sleep((5 - i) * 20L);   // input 0 sleeps longest
                return i * 10;
            }, range(5));
            assertEquals(List.of(0, 10, 20, 30, 40), out);
        }
    }

    @Test
    void asCompletedHandsOutResultsInCompletionOrder() throws Exception {
        List<Integer> order = new ArrayList<>();
        try (ThreadPool pool = ThreadPool.fixed(3)) {
            for (Done<Integer, Integer> d : pool.asCompleted(i -> {
                Thread.sleep(new int[] {300, 10, 150}[i]);
                return i;
            }, range(3))) {
                assertEquals(d.input(), d.result());
                order.add(d.index());
            }
        }
        assertEquals(List.of(1, 2, 0), order);
    }

    @Test
    void aFailingTaskIsNamedWithItsIndexAndInputAndKeepsTheCause() throws Exception {
        try (ThreadPool pool = ThreadPool.fixed(2)) {
            TaskFailedException e = assertThrows(TaskFailedException.class,
                    () -> pool.map(i -> 10 / (i - 3), range(6)));
            assertEquals(3, e.index());
            assertEquals(3, e.input());
            assertInstanceOf(ArithmeticException.class, e.getCause());
            assertTrue(e.getMessage().startsWith("task 3 (input 3) failed: java.lang.ArithmeticException"), e.getMessage());
        }
    }

    @Test
    void threadsHaveReadableNamesAndDefaultSizeFollowsPython() throws Exception {
        assertEquals(Math.min(32, Runtime.getRuntime().availableProcessors() + 4), ThreadPool.defaultWorkers());
        try (ThreadPool pool = ThreadPool.fixed(2)) {
            Set<String> names = pool.map(i -> {
                Thread.sleep(30);
                return Thread.currentThread().getName();
            }, range(4)).stream().collect(Collectors.toSet());
            assertEquals(Set.of("worker-1", "worker-2"), names);
        }
        try (ThreadPool pool = ThreadPool.virtual()) {
            assertTrue(pool.submit(() -> Thread.currentThread().isVirtual()).get(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void submitGivesAFutureWhoseDoneAndResultAreThePythonTwins() throws Exception {
        try (ThreadPool pool = ThreadPool.fixed(1)) {
            CountDownLatch go = new CountDownLatch(1);
            Future<String> f = pool.submit(() -> {
                go.await(5, TimeUnit.SECONDS);
                return "hello";
            });
            assertFalse(f.isDone());
            go.countDown();
            assertEquals("hello", f.get(5, TimeUnit.SECONDS));
            assertTrue(f.isDone());
        }
    }

    @Test
    void interruptingACallerWaitingInMapCancelsTasksAndReturnsWithinTwoSeconds() throws Exception {
        ThreadPool pool = ThreadPool.fixed(2);
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        CountDownLatch started = new CountDownLatch(2);
        Thread caller = new Thread(() -> {
            try {
                pool.map(i -> {
                    started.countDown();
                    Thread.sleep(60_000);
                    return i;
                }, range(10));
            } catch (Throwable t) {
                thrown.set(t);
            }
        }, "cell-thread");
        caller.start();
        assertTrue(started.await(10, TimeUnit.SECONDS), "tasks did not start");
        long t0 = System.nanoTime();
        caller.interrupt();
        caller.join(2_000);
        assertFalse(caller.isAlive(), "map did not return within 2 s of the interrupt");
        assertTrue(Duration.ofNanos(System.nanoTime() - t0).toMillis() < 2_000);
        assertInstanceOf(InterruptedException.class, thrown.get());
        // The running tasks were interrupted, so closing the pool leaves no worker behind.
        pool.shutdown(false);
        // Terminated means every worker thread of the pool has exited.
        assertTrue(pool.awaitTermination(Duration.ofSeconds(2)), "workers still running after the interrupt");
    }

    @Test
    void interruptingACallerIteratingAsCompletedCancelsTheRest() throws Exception {
        try (ThreadPool pool = ThreadPool.fixed(2)) {
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            Thread caller = new Thread(() -> {
                try {
                    for (Done<Integer, Integer> d : pool.asCompleted(i -> {
                        Thread.sleep(60_000);
                        return i;
                    }, range(4))) {
                        throw new AssertionError("nothing should complete: " + d);
                    }
                } catch (Throwable t) {
                    thrown.set(t);
                }
            });
            caller.start();
            Thread.sleep(200);
            caller.interrupt();
            caller.join(2_000);
            assertFalse(caller.isAlive(), "asCompleted did not return within 2 s of the interrupt");
            assertInstanceOf(java.util.concurrent.CancellationException.class, thrown.get());
            pool.shutdown(false);
            assertTrue(pool.awaitTermination(Duration.ofSeconds(2)));
        }
    }

    @Test
    void badInputFailsAtOnceWithAMessage() throws Exception {
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class, () -> ThreadPool.fixed(0));
        assertTrue(zero.getMessage().contains("at least 1 worker, got 0"), zero.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ThreadPool.fixed(-3));
        try (ThreadPool pool = ThreadPool.fixed(1)) {
            NullPointerException nullTask = assertThrows(NullPointerException.class, () -> pool.submit((java.util.concurrent.Callable<Object>) null));
            assertTrue(nullTask.getMessage().startsWith("task is null"), nullTask.getMessage());
            NullPointerException nullInputs = assertThrows(NullPointerException.class, () -> pool.map(i -> i, null));
            assertTrue(nullInputs.getMessage().startsWith("inputs is null"), nullInputs.getMessage());
        }
        ThreadPool closed = ThreadPool.fixed(1);
        closed.close();
        RejectedExecutionException reuse = assertThrows(RejectedExecutionException.class, () -> closed.submit(() -> 1));
        assertTrue(reuse.getMessage().contains("is shut down"), reuse.getMessage());
        assertThrows(RejectedExecutionException.class, () -> closed.map(i -> i, List.of(1)));
    }

    @Test
    void shutdownWithoutWaitReturnsAtOnceAndTasksStillFinish() throws Exception {
        ThreadPool pool = ThreadPool.fixed(1);
        Future<String> f = pool.submit(() -> {
            Thread.sleep(200);
            return "finished";
        });
        long t0 = System.nanoTime();
        pool.shutdown(false);
        assertTrue((System.nanoTime() - t0) / 1_000_000 < 150, "shutdown(false) waited");
        assertEquals("finished", f.get(5, TimeUnit.SECONDS));
        pool.shutdown(true);
        assertTrue(pool.isShutdown());
    }

    @Test
    void recordIntoDrawsWhichWorkerRanWhichTask() throws Exception {
        Timeline timeline = Timeline.start();
        try (ThreadPool pool = ThreadPool.fixed(3).recordInto(timeline)) {
            pool.map(i -> {
                Thread.sleep(50);
                return i;
            }, range(10));
        }
        assertEquals(10, timeline.spans().size());
        assertEquals(Set.of("worker-1", "worker-2", "worker-3"), Set.copyOf(timeline.lanes()));
        assertTrue(timeline.anyOverlap());
    }

    @Test
    void asCompletedCanBeIteratedOnlyOnceAndSaysSo() throws Exception {
        try (ThreadPool pool = ThreadPool.fixed(2)) {
            Iterable<Done<Integer, Integer>> results = pool.asCompleted((Integer x) -> x * 2, java.util.List.of(1, 2, 3));
            int sum = 0;
            for (Done<Integer, Integer> d : results) {
                sum += d.result();
            }
            org.junit.jupiter.api.Assertions.assertEquals(12, sum);
            IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, results::iterator);
            org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("only once") && e.getMessage().contains("list"),
                    e.getMessage());
        }
    }
}
