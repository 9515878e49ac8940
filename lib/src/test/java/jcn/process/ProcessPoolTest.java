package jcn.process;

import jcn.exec.Done;
import jcn.exec.TaskFailedException;
import jcn.timing.Timeline;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ProcessPoolTest {

    @Test
    void mapKeepsInputOrderAndReusesWorkers() throws Exception {
        try (ProcessPool pool = ProcessPool.create(2)) {
            assertEquals(2, pool.workers());
            List<Long> pids = pool.workerPids();
            List<Integer> squares = pool.map(x -> x * x, List.of(1, 2, 3, 4, 5, 6));
            assertEquals(List.of(1, 4, 9, 16, 25, 36), squares);
            Set<Long> ran = new HashSet<>(pool.map(x -> ProcessHandle.current().pid(), List.of(1, 2, 3, 4, 5, 6, 7, 8)));
            assertTrue(pids.containsAll(ran), "tasks ran only on the pool's workers: " + ran + " vs " + pids);
            assertFalse(ran.contains(ProcessHandle.current().pid()));
        }
    }

    @Test
    void submitApplyAndAsCompleted() throws Exception {
        try (ProcessPool pool = ProcessPool.create(2)) {
            Future<String> f = pool.applyAsync(() -> "hi");
            assertEquals("hi", f.get(30, TimeUnit.SECONDS));
            assertEquals(42, pool.apply(() -> 6 * 7));
            List<Integer> order = new ArrayList<>();
            for (Done<Integer, Integer> done : pool.asCompleted(ms -> {
                Thread.sleep(ms);
                return ms;
            }, List.of(900, 50, 400))) {
                order.add(done.input());
                assertEquals(done.input(), done.result());
            }
            assertEquals(List.of(50, 400, 900), order);
        }
    }

    @Test
    void everyTaskGetsItsOwnCopyOfWhatItCaptured() throws Exception {
        List<Integer> seen = new ArrayList<>(List.of(1));
        ProcessTask<Integer> grow = () -> {
            seen.add(2);
            return seen.size();
        };
        ProcessTask<Long> plain = () -> ProcessHandle.current().pid();
        try (ProcessPool pool = ProcessPool.create(1)) {
            for (int i = 0; i < 3; i++) {
                assertEquals(2, pool.apply(grow), "a task starts from the list as sent, not as the last task left it");
            }
            for (int i = 0; i < 3; i++) {
                assertEquals(pool.workerPids().get(0), pool.apply(plain), "a task that captures nothing, run again");
            }
        }
        assertEquals(List.of(1), seen, "the parent's list is not changed by the tasks");
    }

    @Test
    void aFailedTaskNamesItsInput() throws Exception {
        try (ProcessPool pool = ProcessPool.create(2)) {
            TaskFailedException e = assertThrows(TaskFailedException.class,
                    () -> pool.map(x -> 10 / x, List.of(5, 2, 0, 1)));
            assertEquals(2, e.index());
            assertEquals(0, e.input());
            assertInstanceOf(ChildFailedException.class, e.getCause());
            assertEquals(42, pool.apply(() -> 42), "the worker survives a task that threw");
        }
    }

    @Test
    void aWorkerKilledMidTaskFailsThatTaskAndIsReplaced() throws Exception {
        Timeline timeline = Timeline.start();
        try (ProcessPool pool = ProcessPool.create(2).recordInto(timeline)) {
            List<Long> before = pool.workerPids();
            List<Future<Long>> futures = new ArrayList<>();
            futures.add(pool.submit(() -> {
                long me = ProcessHandle.current().pid();
                new ProcessBuilder("kill", "-9", Long.toString(me)).start().waitFor();
                Thread.sleep(5000);
                return me;
            }));
            for (int i = 0; i < 6; i++) {
                futures.add(pool.submit(() -> {
                    Thread.sleep(100);
                    return ProcessHandle.current().pid();
                }));
            }
            ExecutionException e = assertThrows(ExecutionException.class, () -> futures.get(0).get(30, TimeUnit.SECONDS));
            ChildDiedException died = assertInstanceOf(ChildDiedException.class, e.getCause());
            assertTrue(died.getMessage().contains("task 1 failed"), died.getMessage());
            assertTrue(died.getMessage().contains("killed by signal 9 (SIGKILL)"), died.getMessage());
            assertEquals(137, died.exitCode());
            for (Future<Long> f : futures.subList(1, futures.size())) {
                assertTrue(f.get(30, TimeUnit.SECONDS) > 0);
            }
            List<Long> after = pool.workerPids();
            assertEquals(2, after.size());
            assertNotEquals(before, after, "one worker was replaced");
        }
        assertEquals(7, timeline.spans().size());
        assertTrue(timeline.lanes().size() >= 2);
    }

    @Test
    void outOfMemoryKillsOnlyItsWorker() throws Exception {
        try (ProcessPool pool = ProcessPool.create(1, "-Xmx32m")) {
            Future<Integer> hog = pool.submit(() -> {
                List<long[]> keep = new ArrayList<>();
                while (true) {
                    keep.add(new long[1_000_000]);
                }
            });
            ExecutionException e = assertThrows(ExecutionException.class, () -> hog.get(30, TimeUnit.SECONDS));
            assertTrue(e.getCause().getMessage().contains("ran out of memory"), e.getCause().getMessage());
            assertEquals(7, pool.apply(() -> 7));
        }
    }

    @Test
    void lifeCycleAndBadInput() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> ProcessPool.create(0));
        ProcessPool pool = ProcessPool.create(1);
        List<Long> pids = pool.workerPids();
        IllegalStateException early = assertThrows(IllegalStateException.class, pool::join);
        assertTrue(early.getMessage().contains("call shutdown() before join()"), early.getMessage());
        Future<Integer> queued = pool.submit(() -> {
            Thread.sleep(300);
            return 1;
        });
        pool.shutdown();
        IllegalStateException closed = assertThrows(IllegalStateException.class, () -> pool.submit(() -> 2));
        assertTrue(closed.getMessage().contains("is shut down"), closed.getMessage());
        pool.join();
        assertEquals(1, queued.get(1, TimeUnit.SECONDS), "shutdown lets submitted tasks finish");
        for (long pid : pids) {
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "worker " + pid + " exited");
        }
    }

    @Test
    void terminateKillsWorkersAndCancelsTasks() throws Exception {
        ProcessPool pool = ProcessPool.create(1);
        long pid = pool.workerPids().get(0);
        Future<Integer> running = pool.submit(() -> {
            Thread.sleep(30_000);
            return 1;
        });
        Future<Integer> waiting = pool.submit(() -> 2);
        Thread.sleep(300);
        long start = System.nanoTime();
        pool.terminate();
        assertTrue(pool.awaitTermination(Duration.ofSeconds(10)));
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5));
        assertThrows(CancellationException.class, () -> waiting.get(5, TimeUnit.SECONDS));
        assertThrows(CancellationException.class, () -> running.get(5, TimeUnit.SECONDS));
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
    }

    @Test
    void aTaskCapturingSomethingUnserialisableIsRefusedAtSubmit() throws IOException, InterruptedException {
        try (ProcessPool pool = ProcessPool.create(1)) {
            Thread thread = Thread.currentThread();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> pool.submit(thread::getName));
            assertTrue(e.getMessage().contains("java.lang.Thread, which is not Serializable"), e.getMessage());
        }
    }

    @Test
    void asCompletedCanBeIteratedOnlyOnceAndSaysSo() throws Exception {
        try (ProcessPool pool = ProcessPool.create(1)) {
            Iterable<Done<Integer, Integer>> results = pool.asCompleted((Integer x) -> x * 2, java.util.List.of(1, 2, 3));
            int sum = 0;
            for (Done<Integer, Integer> d : results) {
                sum += d.result();
            }
            org.junit.jupiter.api.Assertions.assertEquals(12, sum);
            IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, results::iterator);
            org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("once") && e.getMessage().contains("list"),
                    e.getMessage());
        }
    }
}
