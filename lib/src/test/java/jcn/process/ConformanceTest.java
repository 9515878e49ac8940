package jcn.process;

import jcn.exec.Done;
import jcn.exec.TaskFailedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The conformance suite: each scenario runs once in CPython 3 ({@code multiprocessing} and
 * {@code concurrent.futures}, start method {@code spawn}; the scripts are in
 * {@code src/test/resources/conformance/}) and once with {@code jcn.process} in real child JVMs,
 * and compares what can be observed: who got which items, whether a call blocked, which tasks
 * failed and with what, what survived a kill. Where the twins differ on purpose, the test name
 * says so ({@code _butCPython...}) and both outcomes are asserted.
 *
 * <p>No assertion depends on speed: "blocked" is checked by ordering, and timeouts only by a
 * lower bound (not before 80% of the timeout). Every wait is bounded, and each scenario by
 * {@link Timeout}, so a misbehaving twin fails the scenario instead of hanging the suite.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ConformanceTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path tmp;

    private Map<String, Object> python(String script, String scenario) throws Exception {
        return CPython.run(script, scenario, tmp);
    }

    // ---------------------------------------------------------------- queues

    @Test
    void queueFifoOneWriterOneReader() throws Exception {
        Map<String, Object> py = python("queues", "fifo");
        assertEquals(true, py.get("inOrder"), "CPython: " + py);
        assertEquals(1000L, py.get("count"));

        try (ProcessQueue<Integer> q = ProcessQueue.create()) {
            ChildProcess<Void> writer = ChildProcess.<Void>start(() -> {
                for (int i = 0; i < 1000; i++) {
                    q.put(i);
                }
                return null;
            });
            List<Integer> got = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                got.add(q.get(WAIT));
            }
            writer.result();
            assertEquals(range(1000), got, "one writer, one reader: items in put order");
        }
    }

    @Test
    void queueFourWritersOneReaderKeepsEachWritersOrder() throws Exception {
        Map<String, Object> py = python("queues", "many_writers");
        assertEquals(Map.of("count", 200L, "perWriterInOrder", true, "writers", 4L), py);

        try (ProcessQueue<String> q = ProcessQueue.create()) {
            List<ChildProcess<Void>> writers = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                int writer = w;
                writers.add(ChildProcess.<Void>start(() -> {
                    for (int i = 0; i < 50; i++) {
                        q.put(writer + ":" + i);
                    }
                    return null;
                }));
            }
            Map<String, List<Integer>> per = new TreeMap<>();
            for (int i = 0; i < 200; i++) {
                String[] item = q.get(WAIT).split(":");
                per.computeIfAbsent(item[0], k -> new ArrayList<>()).add(Integer.parseInt(item[1]));
            }
            for (ChildProcess<Void> w : writers) {
                w.result();
            }
            assertEquals(4, per.size(), "every writer's items arrived: " + per.keySet());
            per.forEach((w, items) -> assertEquals(range(50), items, "writer " + w + "'s items in its order"));
        }
    }

    @Test
    void queueSeveralReadersEachStopAtTheirEndMark() throws Exception {
        Map<String, Object> py = python("queues", "end_marks");
        assertEquals(Map.of("total", 100L, "readersEnded", 3L), py);

        try (ProcessQueue<Integer> q = ProcessQueue.create()) {
            List<ChildProcess<Integer>> readers = new ArrayList<>();
            for (int r = 0; r < 3; r++) {
                readers.add(ChildProcess.start(() -> {
                    int n = 0;
                    while (q.get(Duration.ofSeconds(20)) != null) {
                        n++;
                    }
                    return n;
                }));
            }
            for (int i = 0; i < 100; i++) {
                q.put(i);
            }
            for (int r = 0; r < 3; r++) {
                q.putEnd();
            }
            int total = 0;
            for (ChildProcess<Integer> r : readers) {
                total += r.result();
            }
            assertEquals(100, total, "the readers together read every item, and each stopped at an end mark");
        }
    }

    @Test
    void queueGetOnAnEmptyQueueTimesOut() throws Exception {
        Map<String, Object> py = python("queues", "get_timeout");
        assertEquals("timeout", py.get("outcome"), "CPython raises queue.Empty: " + py);
        assertTrue(((Long) py.get("elapsedMs")) >= 400, "CPython waited: " + py);

        try (ProcessQueue<Integer> q = ProcessQueue.create()) {
            long start = System.nanoTime();
            assertThrows(TimeoutException.class, () -> q.get(Duration.ofMillis(500)), "in the queue's own JVM");
            assertTrue(millisSince(start) >= 400, "timed out, not before 80% of the timeout");
            String child = ChildProcess.start(() -> {
                long t = System.nanoTime();
                try {
                    q.get(Duration.ofMillis(500));
                    return "item";
                } catch (TimeoutException e) {
                    return "timeout " + (System.nanoTime() - t) / 1_000_000;
                }
            }).result();
            assertTrue(child.startsWith("timeout "), "in a child: " + child);
            assertTrue(Long.parseLong(child.substring(8)) >= 400, "the child timed out, not before 80%: " + child);
        }
    }

    @Test
    void queueClosedByItsOwnerFailsAChildsGet_butCPythonsCloseIsPerProcess() throws Exception {
        // CPython's Queue.close() only closes the calling process's end: the child's get(timeout=3) raises Empty.
        Map<String, Object> py = python("queues", "closed_by_owner");
        assertEquals("Empty", py.get("childGet"), "CPython: " + py);

        ProcessQueue<Integer> q = ProcessQueue.create();
        try (ProcessQueue<String> ready = ProcessQueue.create()) {
            ChildProcess<String> child = ChildProcess.start(() -> {
                ready.put("waiting");
                try {
                    q.get(Duration.ofSeconds(10));
                    return "got an item";
                } catch (TimeoutException e) {
                    return "timed out: the close was not seen";
                } catch (Exception e) {
                    return e.getClass().getName() + ": " + e.getMessage();
                }
            });
            assertEquals("waiting", ready.get(WAIT));
            Thread.sleep(200);
            q.close();
            String outcome = child.result();
            assertFalse(outcome.startsWith("timed out") || outcome.startsWith("got"),
                    "ours: a child's get fails at once when the owner closes the queue: " + outcome);
            assertTrue(outcome.toLowerCase().contains("close"), "a clear message: " + outcome);
        } finally {
            q.close();
        }
    }

    @Test
    void queueAWriterThatReturnsLeavesAllItsItemsReadable() throws Exception {
        Map<String, Object> py = python("queues", "writer_returns");
        assertEquals(Map.of("exited", true, "count", 1000L, "inOrder", true), py);

        try (ProcessQueue<Integer> q = ProcessQueue.create()) {
            ChildProcess<Void> writer = ChildProcess.<Void>start(() -> {
                for (int i = 0; i < 1000; i++) {
                    q.put(i);
                }
                return null;
            });
            writer.result();
            assertTrue(writer.join(WAIT), "the writer exited before anything was read");
            List<Integer> got = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                got.add(q.get(WAIT));
            }
            assertEquals(range(1000), got);
            assertThrows(TimeoutException.class, () -> q.get(Duration.ofMillis(200)), "and nothing more");
        }
    }

    @Test
    void queueTwoWaitingReadersBothGetAShare() throws Exception {
        Map<String, Object> py = python("queues", "two_readers_share");
        long pyA = (Long) py.get("a");
        long pyB = (Long) py.get("b");
        assertEquals(100, pyA + pyB, "CPython: " + py);
        assertTrue(pyA >= 20 && pyB >= 20, "CPython: both readers got a real share: " + py);

        try (ProcessQueue<Integer> q = ProcessQueue.create()) {
            List<ChildProcess<Integer>> readers = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                readers.add(ChildProcess.start(() -> {
                    int got = 0;
                    while (true) {
                        try {
                            q.get(Duration.ofSeconds(2));
                        } catch (TimeoutException e) {
                            return got;
                        }
                        got++;
                        Thread.sleep(10);
                    }
                }));
            }
            for (int i = 0; i < 100; i++) {
                q.put(i);
            }
            int a = readers.get(0).result();
            int b = readers.get(1).result();
            System.out.println("two readers, 100 items: CPython " + pyA + "/" + pyB + ", jcn " + a + "/" + b);
            assertEquals(100, a + b, "each item to exactly one reader: " + a + " + " + b);
            assertTrue(a >= 20 && b >= 20, "each item goes to a waiting reader, so both get a real share; got "
                    + a + " and " + b + " (CPython: " + pyA + " and " + pyB + ")");
        }
    }

    @Test
    void queueAKilledReaderLosesAtMostTheItemItWasHanded() throws Exception {
        Map<String, Object> py = python("queues", "killed_reader");
        assertEquals(0L, py.get("duplicates"), "CPython: " + py);
        assertTrue((Long) py.get("distinct") >= 99, "CPython: the other reader read the rest: " + py);

        Path a = tmp.resolve("java-a.txt");
        Path b = tmp.resolve("java-b.txt");
        String fileA = a.toString();
        String fileB = b.toString();
        try (ProcessQueue<Integer> q = ProcessQueue.create()) {
            for (int i = 0; i < 100; i++) {
                q.put(i);
            }
            ChildProcess<Void> readerA = ChildProcess.start(() -> logEachItem(q, fileA, 5));
            ChildProcess<Void> readerB = ChildProcess.start(() -> logEachItem(q, fileB, -1));
            awaitLines(a, 5);
            readerA.kill();
            assertTrue(readerA.join(WAIT));
            readerB.result();
            List<String> seen = new ArrayList<>(Files.readAllLines(a));
            if (Files.exists(b)) {
                seen.addAll(Files.readAllLines(b));
            }
            Set<String> distinct = new HashSet<>(seen);
            assertEquals(seen.size(), distinct.size(), "no item read twice");
            assertTrue(distinct.size() >= 99, "a killed reader loses at most the item it was being handed; read: "
                    + distinct.size() + " of 100 (reader A " + Files.readAllLines(a).size() + ", reader B "
                    + (seen.size() - Files.readAllLines(a).size()) + "; CPython: " + py + ")");
        }
    }

    @Test
    void queueBoundedPutBlocksOnlyWhileCapacityItemsAreInTheQueue() throws Exception {
        Map<String, Object> py = python("queues", "bounded_counts_items");
        assertEquals(9L, py.get("putsOk"), "CPython: " + py);
        assertEquals("timeout", py.get("tenthPut"), "CPython: " + py);

        try (ProcessQueue<String> q = ProcessQueue.create(10); ProcessQueue<String> signal = ProcessQueue.create()) {
            ChildProcess<Void> producer = ChildProcess.<Void>start(() -> {
                q.put("child");
                signal.put("put");
                Thread.sleep(60_000);
                return null;
            });
            try {
                assertEquals("put", signal.get(WAIT));
                int ok = 0;
                for (int i = 0; i < 9; i++) {
                    try {
                        q.put("parent " + i, Duration.ofSeconds(1));
                        ok++;
                    } catch (TimeoutException e) {
                        break;
                    }
                }
                assertEquals(9, ok, "with 1 item in a queue of 10 and its (live) producer asleep, 9 more puts fit");
                long start = System.nanoTime();
                assertThrows(TimeoutException.class, () -> q.put("one too many", Duration.ofSeconds(1)));
                assertTrue(millisSince(start) >= 800, "the 11th item timed out, not before 80% of the timeout");
            } finally {
                producer.kill();
                producer.join(WAIT);
            }
        }
    }

    @Test
    void queueBoundedPutReturnsOnlyAfterAReaderTookAnItem() throws Exception {
        Map<String, Object> py = python("queues", "bounded_blocks");
        assertEquals("blocked", py.get("beforeTake"), "CPython: " + py);
        assertEquals(List.of("second", "third"), py.get("rest"));

        try (ProcessQueue<String> q = ProcessQueue.create(2); ProcessQueue<String> returned = ProcessQueue.create()) {
            q.put("first");
            q.put("second");
            ChildProcess<Void> putter = ChildProcess.<Void>start(() -> {
                q.put("third");
                returned.put("returned");
                return null;
            });
            assertThrows(TimeoutException.class, () -> returned.get(Duration.ofMillis(500)),
                    "the child's put blocks while the queue is full");
            assertEquals("first", q.get(WAIT));
            assertEquals("returned", returned.get(WAIT), "the put returned once an item was taken");
            assertEquals("second", q.get(WAIT));
            assertEquals("third", q.get(WAIT));
            putter.result();
        }
    }

    // ---------------------------------------------------------------- pools

    @Test
    void poolMapReturnsResultsInInputOrder() throws Exception {
        Map<String, Object> py = python("pools", "map_order");
        assertEquals(List.of(0L, 1L, 4L, 9L, 16L, 25L), py.get("poolMap"));
        assertEquals(List.of(0L, 1L, 4L, 9L, 16L, 25L), py.get("executorMap"));

        try (ProcessPool pool = ProcessPool.create(2)) {
            List<Integer> got = pool.map(x -> {
                Thread.sleep((6 - x) * 20L); // later inputs finish first
                return x * x;
            }, range(6));
            assertEquals(List.of(0, 1, 4, 9, 16, 25), got);
        }
    }

    @Test
    void poolATaskThatThrowsFailsWithTheOriginalExceptionTypeNamed() throws Exception {
        Map<String, Object> py = python("pools", "task_throws");
        assertEquals("ZeroDivisionError", py.get("poolMap"));
        assertEquals("ValueError: bad input", py.get("poolApply"));
        assertEquals("ValueError", py.get("executorSubmit"));
        assertEquals(2L, py.get("poolAfter"));

        try (ProcessPool pool = ProcessPool.create(2)) {
            TaskFailedException mapped = assertThrows(TaskFailedException.class,
                    () -> pool.map(x -> 10 / x, List.of(5, 2, 0, 1)));
            assertEquals(2, mapped.index());
            ChildFailedException cause = assertInstanceOf(ChildFailedException.class, mapped.getCause());
            assertEquals("java.lang.ArithmeticException", cause.exceptionClass());

            Future<Object> f = pool.submit(() -> {
                throw new IllegalArgumentException("bad input");
            });
            ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(20, TimeUnit.SECONDS));
            ChildFailedException failed = assertInstanceOf(ChildFailedException.class, e.getCause());
            assertEquals("java.lang.IllegalArgumentException", failed.exceptionClass());
            assertTrue(failed.getMessage().contains("IllegalArgumentException") && failed.getMessage().contains("bad input"),
                    failed.getMessage());
            assertEquals(2, pool.apply(() -> 10 / 5), "the worker survives");
        }
    }

    @Test
    void poolAKilledWorkerFailsOnlyItsTask_butCPythonsExecutorBreaksAllAndPoolLosesTheTask() throws Exception {
        Map<String, Object> py = python("pools", "killed_worker");
        assertEquals(List.of("BrokenProcessPool", "BrokenProcessPool", "BrokenProcessPool", "BrokenProcessPool",
                "BrokenProcessPool", "BrokenProcessPool", "BrokenProcessPool"), py.get("executor"),
                "ProcessPoolExecutor: every pending task fails with BrokenProcessPool");
        assertEquals(List.of("lost", "ok", "ok", "ok", "ok", "ok", "ok"), py.get("pool"),
                "multiprocessing.Pool: the killed task never returns, the others succeed");

        try (ProcessPool pool = ProcessPool.create(2)) {
            List<Future<Long>> futures = new ArrayList<>();
            futures.add(pool.submit(() -> {
                killSelf();
                return 0L;
            }));
            for (int i = 0; i < 6; i++) {
                futures.add(pool.submit(() -> {
                    Thread.sleep(100);
                    return ProcessHandle.current().pid();
                }));
            }
            List<String> outcomes = new ArrayList<>();
            for (Future<Long> f : futures) {
                try {
                    f.get(30, TimeUnit.SECONDS);
                    outcomes.add("ok");
                } catch (ExecutionException e) {
                    outcomes.add(e.getCause().getClass().getSimpleName());
                }
            }
            assertEquals(List.of("ChildDiedException", "ok", "ok", "ok", "ok", "ok", "ok"), outcomes,
                    "ours: only the killed worker's task fails");
        }
    }

    @Test
    void poolCancelOfAQueuedTaskRemovesIt() throws Exception {
        Map<String, Object> py = python("pools", "cancel_queued");
        assertEquals(true, py.get("cancelReturned"), "CPython: " + py);
        assertEquals(false, py.get("ran"), "CPython: " + py);

        Path marker = tmp.resolve("java-cancelled-ran.txt");
        String file = marker.toString();
        try (ProcessPool pool = ProcessPool.create(1)) {
            Future<Integer> blocker = pool.submit(() -> {
                Thread.sleep(500);
                return 1;
            });
            List<Future<Integer>> fillers = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                fillers.add(pool.submit(() -> 1));
            }
            Future<String> victim = pool.submit(() -> {
                Files.writeString(Path.of(file), "ran\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                return "ran";
            });
            assertTrue(victim.cancel(false), "a queued task can be cancelled");
            assertEquals(7, pool.submit(() -> 7).get(20, TimeUnit.SECONDS), "a later task runs");
            assertEquals(1, blocker.get(20, TimeUnit.SECONDS));
            for (Future<Integer> f : fillers) {
                assertEquals(1, f.get(20, TimeUnit.SECONDS));
            }
            assertTrue(victim.isCancelled());
            assertFalse(Files.exists(marker), "the cancelled task never ran");
        }
    }

    @Test
    void poolCancelTrueOnARunningTaskKillsAndReplacesItsWorker_butCPythonCannotCancelARunningTask() throws Exception {
        Map<String, Object> py = python("pools", "cancel_running");
        assertEquals(false, py.get("cancelReturned"), "CPython: cancel() of a running future returns False");
        assertEquals("finished", py.get("taskResult"), "CPython: the task runs to its end");
        assertEquals(true, py.get("ticksGrewAfterCancel"), "CPython: its side effects go on");

        Path ticks = tmp.resolve("java-ticks.txt");
        String file = ticks.toString();
        try (ProcessPool pool = ProcessPool.create(1)) {
            long before = pool.workerPids().get(0);
            Future<String> ticking = pool.submit(() -> {
                for (int i = 0; i < 30; i++) {
                    Files.writeString(Path.of(file), i + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                    Thread.sleep(50);
                }
                return "finished";
            });
            awaitLines(ticks, 2);
            assertTrue(ticking.cancel(true), "ours: cancel(true) stops a running task");
            assertTrue(ticking.isCancelled());
            long after = pool.submit(() -> ProcessHandle.current().pid()).get(30, TimeUnit.SECONDS);
            assertNotEquals(before, after, "the task's worker was replaced");
            int atLater = Files.readAllLines(ticks).size();
            Thread.sleep(300);
            assertEquals(atLater, Files.readAllLines(ticks).size(), "the cancelled task's side effects stopped");
            assertTrue(atLater < 30, "it did not run to its end");
        }
    }

    @Test
    void poolSubmitAfterShutdownFails() throws Exception {
        Map<String, Object> py = python("pools", "submit_after_shutdown");
        assertEquals("RuntimeError", py.get("executor"));
        assertEquals("ValueError", py.get("pool"));

        ProcessPool pool = ProcessPool.create(1);
        try {
            pool.shutdown();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.submit(() -> 1));
            assertTrue(e.getMessage().contains("shut down"), e.getMessage());
            assertThrows(IllegalStateException.class, () -> pool.map(x -> x, List.of(1)));
            assertTrue(pool.awaitTermination(WAIT));
        } finally {
            pool.terminate();
        }
    }

    @Test
    void poolAsCompletedYieldsInCompletionOrder() throws Exception {
        Map<String, Object> py = python("pools", "as_completed");
        assertEquals(List.of(50L, 250L, 600L), py.get("asCompleted"));
        assertEquals(List.of(50L, 250L, 600L), py.get("imapUnordered"));

        try (ProcessPool pool = ProcessPool.create(2)) {
            List<Integer> order = new ArrayList<>();
            for (Done<Integer, Integer> done : pool.<Integer, Integer>asCompleted(ms -> {
                Thread.sleep(ms);
                return ms;
            }, List.of(600, 50, 250))) {
                order.add(done.result());
            }
            assertEquals(List.of(50, 250, 600), order);
        }
    }

    @Test
    void poolWhoseWorkerCannotBeReplacedFailsTheWaitingMapInsteadOfHanging() throws Exception {
        // CPython has no bound on live children; its nearest case, an executor whose worker cannot start,
        // fails with BrokenProcessPool (multiprocessing.Pool would restart the failing worker for ever).
        Map<String, Object> py = python("pools", "unreplaceable");
        assertEquals("BrokenProcessPool", py.get("executorMap"));

        int max = ChildProcess.maxAlive();
        ChildProcess<Void> sleeper = null;
        ProcessPool pool = ProcessPool.create(1);
        try {
            sleeper = ChildProcess.<Void>start(() -> {
                Thread.sleep(60_000);
                return null;
            });
            ChildProcess.setMaxAlive(1); // once the worker dies, the sleeper alone fills the bound
            Future<Long> killer = pool.submit(() -> {
                killSelf();
                return 0L;
            });
            CompletableFuture<Object> waiting = CompletableFuture.supplyAsync(() -> {
                try {
                    return pool.map(x -> x, List.of(1, 2, 3));
                } catch (Exception e) {
                    return e;
                }
            });
            ExecutionException died = assertThrows(ExecutionException.class, () -> killer.get(30, TimeUnit.SECONDS));
            assertInstanceOf(ChildDiedException.class, died.getCause());
            Object outcome;
            try {
                outcome = waiting.get(30, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                fail("map still waits 30 s after the pool's only worker died and could not be replaced: it hangs");
                return;
            }
            assertInstanceOf(RuntimeException.class, outcome, "map fails rather than returning: " + outcome);
            String message = String.valueOf(outcome) + " / " + ((Throwable) outcome).getCause();
            assertTrue(message.contains("replace") || message.contains("worker"), "a clear message: " + message);
            // and a task submitted now fails too, instead of waiting for a worker that will never come
            // (at once: the pool knows it has no worker, so the submit itself throws)
            IllegalStateException late = assertThrows(IllegalStateException.class, () -> pool.submit(() -> 1),
                    "a task submitted to a pool with no worker left fails");
            assertTrue(late.getMessage().contains("no worker left"), late.getMessage());
        } finally {
            ChildProcess.setMaxAlive(max);
            pool.terminate();
            if (sleeper != null) {
                sleeper.kill();
                sleeper.join(WAIT);
            }
        }
    }

    @Test
    void poolMadeBeforeAQueueItsTasksUseTheQueue_butCPythonNeedsAManagerQueue() throws Exception {
        Map<String, Object> py = python("pools", "pool_then_queue");
        assertEquals("RuntimeError: Queue objects should only be shared between processes through inheritance",
                py.get("plainQueue"), "CPython: a plain Queue cannot be a Pool task's argument");
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L), py.get("managerQueue"), "CPython: a Manager().Queue() works");

        try (ProcessPool pool = ProcessPool.create(2); ProcessQueue<Integer> q = ProcessQueue.create()) {
            List<Integer> results = pool.map(x -> {
                q.put(x);
                return x;
            }, range(5));
            assertEquals(range(5), results);
            List<Integer> got = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                got.add(q.get(WAIT));
            }
            got.sort(null);
            assertEquals(range(5), got);
        }
    }

    @Test
    void poolMadeBeforeALockItsTasksUseTheLock_butCPythonNeedsAManagerLock() throws Exception {
        Map<String, Object> py = python("pools", "pool_then_lock");
        assertEquals("RuntimeError: Lock objects should only be shared between processes through inheritance",
                py.get("plainLock"));
        assertEquals(100L, py.get("counter"), "CPython: with a Manager().Lock() no update is lost");

        Path counter = tmp.resolve("java-pool-counter.txt");
        Files.writeString(counter, "0");
        String file = counter.toString();
        try (ProcessPool pool = ProcessPool.create(2); ProcessLock lock = ProcessLock.create()) {
            pool.map(n -> count(lock, file, n), List.of(25, 25, 25, 25));
        }
        assertEquals("100", Files.readString(counter), "no update lost");
    }

    @Test
    void poolAReplacementWorkerUsesAQueueMadeAfterThePool() throws Exception {
        Map<String, Object> py = python("pools", "replacement_worker");
        assertEquals("lost", py.get("killedTask"));
        assertEquals("from the new worker", py.get("got"));

        try (ProcessPool pool = ProcessPool.create(1); ProcessQueue<String> q = ProcessQueue.create()) {
            Future<Long> killer = pool.submit(() -> {
                killSelf();
                return 0L;
            });
            ExecutionException e = assertThrows(ExecutionException.class, () -> killer.get(30, TimeUnit.SECONDS));
            assertInstanceOf(ChildDiedException.class, e.getCause());
            pool.submit(() -> {
                q.put("from the new worker");
                return null;
            }).get(30, TimeUnit.SECONDS);
            assertEquals("from the new worker", q.get(WAIT));
        }
    }

    @Test
    void aGrandchildUsesTheQueueAndLockOfItsGrandparent() throws Exception {
        Map<String, Object> py = python("pools", "grandchild");
        assertEquals(Map.of("first", "grandchild", "second", "child"), py);

        try (ProcessQueue<String> q = ProcessQueue.create(); ProcessLock lock = ProcessLock.create()) {
            ChildProcess<Void> child = ChildProcess.<Void>start(() -> {
                ChildProcess<Void> grandchild = ChildProcess.<Void>start(() -> {
                    try (var held = lock.acquire(Duration.ofSeconds(20))) {
                        q.put("grandchild " + ProcessHandle.current().pid());
                    }
                    return null;
                });
                grandchild.result();
                q.put("child");
                return null;
            });
            assertTrue(child.join(WAIT), "the child and its grandchild ended");
            child.result();
            assertTrue(q.get(WAIT).startsWith("grandchild "));
            assertEquals("child", q.get(WAIT));
        }
    }

    @Test
    void aPoolTaskStartsAGrandchildThatUsesAQueueMadeAfterThePool_butCPythonPoolWorkersCannotHaveChildren()
            throws Exception {
        Map<String, Object> py = python("pools", "pool_task_grandchild");
        assertEquals("AssertionError: daemonic processes are not allowed to have children", py.get("poolTask"));

        try (ProcessPool pool = ProcessPool.create(1); ProcessQueue<String> q = ProcessQueue.create()) {
            String result = pool.submit(() -> {
                ChildProcess.<Void>start(() -> {
                    q.put("grandchild");
                    return null;
                }).result();
                return "child";
            }).get(60, TimeUnit.SECONDS);
            assertEquals("child", result);
            assertEquals("grandchild", q.get(WAIT));
        }
    }

    // ---------------------------------------------------------------- locks

    @Test
    void lockMutualExclusionAcrossFourProcesses() throws Exception {
        Map<String, Object> py = python("locks", "mutual_exclusion");
        assertEquals(100L, py.get("counter"));

        Path counter = tmp.resolve("java-counter.txt");
        Files.writeString(counter, "0");
        String file = counter.toString();
        try (ProcessLock lock = ProcessLock.create()) {
            List<ChildProcess<Integer>> children = new ArrayList<>();
            for (int c = 0; c < 4; c++) {
                children.add(ChildProcess.start(() -> count(lock, file, 25)));
            }
            for (ChildProcess<Integer> c : children) {
                assertEquals(25, c.result());
            }
        }
        assertEquals("100", Files.readString(counter), "no update lost");
    }

    @Test
    void lockAHolderKilledMidHoldFreesTheLock_butCPythonsLockStaysHeld() throws Exception {
        Map<String, Object> py = python("locks", "killed_holder");
        assertEquals(false, py.get("acquiredAfterKill"), "CPython: a Lock whose holder was killed stays held");

        try (ProcessLock lock = ProcessLock.create(); ProcessQueue<String> signal = ProcessQueue.create()) {
            ChildProcess<Void> holder = ChildProcess.<Void>start(() -> {
                lock.acquire(Duration.ofSeconds(20));
                signal.put("holding");
                Thread.sleep(60_000);
                return null;
            });
            assertEquals("holding", signal.get(WAIT));
            holder.kill();
            assertTrue(holder.join(WAIT));
            try (var held = lock.acquire(Duration.ofSeconds(10))) {
                // ours: the dead holder's hold ended with it
            }
        }
    }

    @Test
    void lockAcquireTimeoutLeavesNoStaleState() throws Exception {
        Map<String, Object> py = python("locks", "timeout_no_stale_state");
        assertEquals(false, py.get("firstAcquired"));
        assertTrue((Long) py.get("firstMs") >= 400, "CPython: " + py);
        assertEquals(true, py.get("secondAcquired"));
        assertEquals(true, py.get("thirdAcquired"));

        try (ProcessLock lock = ProcessLock.create();
             ProcessQueue<String> events = ProcessQueue.create();
             ProcessQueue<String> go = ProcessQueue.create()) {
            ProcessLock.Held held = lock.acquire(WAIT);
            ChildProcess<Void> waiter = ChildProcess.<Void>start(() -> {
                long start = System.nanoTime();
                try (var h = lock.acquire(Duration.ofMillis(500))) {
                    events.put("first acquired");
                } catch (TimeoutException e) {
                    events.put("first timeout " + (System.nanoTime() - start) / 1_000_000);
                }
                go.get(Duration.ofSeconds(20));
                start = System.nanoTime();
                try (var h = lock.acquire(Duration.ofSeconds(5))) {
                    events.put("second acquired " + (System.nanoTime() - start) / 1_000_000);
                } catch (TimeoutException e) {
                    events.put("second timeout");
                }
                return null;
            });
            String first = events.get(WAIT);
            assertTrue(first.startsWith("first timeout "), "another process holds it: the wait times out: " + first);
            assertTrue(Long.parseLong(first.substring("first timeout ".length())) >= 400,
                    "not before 80% of the timeout: " + first);
            held.close();
            go.put("released");
            String second = events.get(WAIT);
            assertTrue(second.startsWith("second acquired "), "after the release the same process acquires: " + second);
            assertTrue(Long.parseLong(second.substring("second acquired ".length())) < 2000,
                    "at once (well under 2 s): " + second);
            waiter.result();
            boolean third = ChildProcess.start(() -> {
                try (var h = lock.acquire(Duration.ofSeconds(5))) {
                    return true;
                } catch (TimeoutException e) {
                    return false;
                }
            }).result();
            assertTrue(third, "a third process can acquire it too: no stale grant");
            try (var h = lock.acquire(Duration.ofSeconds(5))) {
                // and so can its owner
            }
        }
    }

    @Test
    void lockTimeoutsRacingReleasesLeaveNoStaleGrant() throws Exception {
        // A child's short acquire(50 ms) keeps timing out around the moments the parent releases: a grant
        // that crosses the withdrawal must not be left for a later acquire, nor make two holders.
        Map<String, Object> py = python("locks", "timeouts_racing_releases");
        assertEquals(Map.of("noLostUpdate", true, "waiterLastAcquire", true, "thirdAcquired", true), py);

        Path counter = tmp.resolve("java-racing.txt");
        Files.writeString(counter, "0");
        String file = counter.toString();
        try (ProcessLock lock = ProcessLock.create()) {
            ChildProcess<String> waiter = ChildProcess.start(() -> {
                int holds = 0;
                for (int i = 0; i < 30; i++) {
                    try (var held = lock.acquire(Duration.ofMillis(50))) {
                        increment(file);
                        holds++;
                    } catch (TimeoutException e) {
                        // expected often
                    }
                }
                try (var held = lock.acquire(Duration.ofSeconds(5))) {
                    increment(file);
                    holds++;
                    return "last acquired " + holds;
                } catch (TimeoutException e) {
                    return "last timed out " + holds;
                }
            });
            int mine = 0;
            for (int i = 0; i < 30; i++) {
                try (var held = lock.acquire(Duration.ofSeconds(5))) {
                    increment(file);
                    mine++;
                    Thread.sleep(i % 3 * 25L);
                }
                Thread.sleep(i % 4 * 15L);
            }
            String last = waiter.result();
            assertTrue(last.startsWith("last acquired "), "after racing timeouts the waiter still acquires at once: " + last);
            int theirs = Integer.parseInt(last.substring(last.lastIndexOf(' ') + 1));
            boolean third = ChildProcess.start(() -> {
                try (var h = lock.acquire(Duration.ofSeconds(5))) {
                    increment(file);
                    return true;
                } catch (TimeoutException e) {
                    return false;
                }
            }).result();
            assertTrue(third, "a third process acquires it: no stale grant left behind");
            assertEquals(mine + theirs + 1, Integer.parseInt(Files.readString(counter).strip()),
                    "every hold was exclusive: no lost update");
        }
    }

    @Test
    void lockAcquireTimesOutWhileAChildHoldsIt() throws Exception {
        Map<String, Object> py = python("locks", "owner_timeout");
        assertEquals(false, py.get("acquired"));
        assertTrue((Long) py.get("elapsedMs") >= 400, "CPython: " + py);

        try (ProcessLock lock = ProcessLock.create(); ProcessQueue<String> signal = ProcessQueue.create()) {
            ChildProcess<Void> holder = ChildProcess.<Void>start(() -> {
                lock.acquire(Duration.ofSeconds(20));
                signal.put("holding");
                Thread.sleep(60_000);
                return null;
            });
            try {
                assertEquals("holding", signal.get(WAIT));
                long start = System.nanoTime();
                assertThrows(TimeoutException.class, () -> lock.acquire(Duration.ofMillis(500)));
                assertTrue(millisSince(start) >= 400, "timed out, not before 80% of the timeout");
            } finally {
                holder.kill();
                holder.join(WAIT);
            }
        }
    }

    @Test
    void lockIsNotReentrant_oursThrowsWhereCPythonsAcquireReturnsFalse() throws Exception {
        Map<String, Object> py = python("locks", "not_reentrant");
        assertEquals(false, py.get("secondAcquire"), "CPython: a second acquire(timeout=0.3) by the holder returns False");

        try (ProcessLock lock = ProcessLock.create()) {
            try (var held = lock.acquire(WAIT)) {
                IllegalStateException e = assertThrows(IllegalStateException.class,
                        () -> lock.acquire(Duration.ofMillis(300)));
                assertTrue(e.getMessage().contains("not reentrant"), e.getMessage());
            }
            String inChild = ChildProcess.start(() -> {
                try (var held = lock.acquire(Duration.ofSeconds(20))) {
                    lock.acquire(Duration.ofMillis(300));
                    return "acquired twice";
                } catch (IllegalStateException e) {
                    return "IllegalStateException";
                }
            }).result();
            assertEquals("IllegalStateException", inChild, "in a child too");
        }
    }

    // ---------------------------------------------------------------- helpers (some run in children)

    private static List<Integer> range(int n) {
        List<Integer> l = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            l.add(i);
        }
        return l;
    }

    private static long millisSince(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }

    /** Kills the calling JVM with SIGKILL, as {@code kill -9} from outside would. */
    static void killSelf() throws Exception {
        new ProcessBuilder("kill", "-9", Long.toString(ProcessHandle.current().pid())).start().waitFor();
        Thread.sleep(10_000);
    }

    /** Read-modify-write of a counter file, {@code n} times, each under {@code lock}. */
    static int count(ProcessLock lock, String file, int n) throws Exception {
        for (int i = 0; i < n; i++) {
            try (var held = lock.acquire(Duration.ofSeconds(30))) {
                int v = Integer.parseInt(Files.readString(Path.of(file)).strip());
                Files.writeString(Path.of(file), Integer.toString(v + 1));
            }
        }
        return n;
    }

    /** A read-modify-write with a gap, so that two holders at once would lose an update. */
    static void increment(String file) throws Exception {
        int v = Integer.parseInt(Files.readString(Path.of(file)).strip());
        Thread.sleep(1);
        Files.writeString(Path.of(file), Integer.toString(v + 1));
    }

    /** Reads items until the queue stays empty for 2 s, appending each to {@code file}; stalls after {@code stallAfter}. */
    static Void logEachItem(ProcessQueue<Integer> q, String file, int stallAfter) throws Exception {
        int n = 0;
        while (true) {
            Integer item;
            try {
                item = q.get(Duration.ofSeconds(2));
            } catch (TimeoutException e) {
                return null;
            }
            Files.writeString(Path.of(file), item + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            if (++n == stallAfter) {
                Thread.sleep(60_000); // killed here by the parent
            }
            Thread.sleep(10);
        }
    }

    private static void awaitLines(Path file, int n) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (Files.exists(file) && Files.readAllLines(file).size() >= n) {
                return;
            }
            Thread.sleep(10);
        }
        fail(file + " did not reach " + n + " lines in 20 s");
    }
}
