package jcn.process;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ProcessPool#apply} reads its worker's answer on the calling thread while no one else
 * reads that worker's output. What a reader of a notebook does next must not notice: Interrupt
 * pressed during an apply, a worker printing between tasks, a worker dying while idle, and
 * applies and submits from several threads at once.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ApplyReadsItsAnswerTest {

    @Test
    void interruptingAnApplyKillsItsWorkerAndThePoolGoesOn() throws Exception {
        try (ProcessPool pool = ProcessPool.create(1)) {
            assertEquals(1, pool.apply(() -> 1), "a first apply leaves the worker's output to the next caller");
            long worker = pool.workerPids().get(0);
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            Thread caller = new Thread(() -> {
                try {
                    pool.apply(() -> {
                        Thread.sleep(30_000);
                        return 2;
                    });
                } catch (Throwable t) {
                    thrown.set(t);
                }
            });
            caller.start();
            Thread.sleep(500);
            long interrupted = System.nanoTime();
            caller.interrupt();
            caller.join(5_000);
            assertFalse(caller.isAlive(), "the interrupted apply must return within 5 s, not when the task ends");
            assertInstanceOf(InterruptedException.class, thrown.get());
            assertTrue(waitGone(worker, interrupted), "the worker running the interrupted task must be killed");
            assertEquals(3, pool.apply(() -> 3), "the pool goes on with a new worker");
            assertNotEquals(worker, pool.workerPids().get(0));
        }
    }

    @Test
    void anApplyStartedWithTheInterruptAlreadySetEndsAtOnce() throws Exception {
        try (ProcessPool pool = ProcessPool.create(1)) {
            pool.apply(() -> 1);
            Thread.currentThread().interrupt();
            long t0 = System.nanoTime();
            try {
                pool.apply(() -> {
                    Thread.sleep(30_000);
                    return 2;
                });
                throw new AssertionError("the apply returned although its thread was interrupted");
            } catch (InterruptedException expected) {
                assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5), "it ended within 5 s");
            }
            assertFalse(Thread.currentThread().isInterrupted(), "InterruptedException clears the flag, as usual");
            assertEquals(3, pool.apply(() -> 3));
        }
    }

    @Test
    void linesAWorkerPrintsBetweenTasksAreCopied() throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try (ProcessPool pool = ProcessPool.create(1)) {
            int value = pool.apply(() -> {
                System.out.println("inside the task");
                Thread late = new Thread(() -> {
                    try {
                        Thread.sleep(300);
                    } catch (InterruptedException e) {
                        return;
                    }
                    System.out.println("printed while the worker is idle");
                });
                late.start();
                return 7;
            });
            assertEquals(7, value);
            assertTrue(captured.toString(StandardCharsets.UTF_8).contains("] inside the task"),
                    "a line printed before the answer is copied before apply returns");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            while (!captured.toString(StandardCharsets.UTF_8).contains("] printed while the worker is idle")
                    && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(captured.toString(StandardCharsets.UTF_8).contains("] printed while the worker is idle"),
                    "a line printed by an idle worker is copied within 3 s: " + captured);
            assertEquals(8, pool.apply(() -> 8));
        } finally {
            System.setOut(original);
        }
    }

    @Test
    void aWorkerKilledWhileIdleIsReplaced() throws Exception {
        try (ProcessPool pool = ProcessPool.create(1)) {
            pool.apply(() -> 1);
            long worker = pool.workerPids().get(0);
            long killed = System.nanoTime();
            ProcessHandle.of(worker).orElseThrow().destroyForcibly();
            long deadline = killed + TimeUnit.SECONDS.toNanos(5);
            List<Long> now = pool.workerPids();
            while ((now.isEmpty() || now.get(0) == worker) && System.nanoTime() < deadline) {
                Thread.sleep(20);
                now = pool.workerPids();
            }
            assertEquals(1, now.size());
            assertNotEquals(worker, now.get(0), "the dead idle worker was replaced without any task asking");
            assertEquals(2, pool.apply(() -> 2));
        }
    }

    @Test
    void appliesAndSubmitsFromSeveralThreadsAllGetTheirOwnAnswers() throws Exception {
        int perThread = 1500;
        try (ProcessPool pool = ProcessPool.create(2)) {
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            AtomicReference<Throwable> failed = new AtomicReference<>();
            for (int t = 0; t < 3; t++) {
                int base = t * 1_000_000;
                Thread thread = new Thread(() -> {
                    try {
                        go.await();
                        for (int i = 0; i < perThread; i++) {
                            int x = base + i;
                            int got = pool.apply(() -> x + 1);
                            if (got != x + 1) {
                                throw new AssertionError("apply of " + x + " got " + got);
                            }
                        }
                    } catch (Throwable e) {
                        failed.compareAndSet(null, e);
                    }
                });
                threads.add(thread);
                thread.start();
            }
            go.countDown();
            // Meanwhile this thread submits and only then waits, so the workers' own threads read too.
            List<Future<Integer>> submitted = new ArrayList<>();
            for (int i = 0; i < perThread; i++) {
                int x = -i;
                submitted.add(pool.submit(() -> x * 2));
                if (i % 50 == 49) {
                    assertEquals(x * 2, submitted.get(i).get(20, TimeUnit.SECONDS));
                }
            }
            for (int i = 0; i < perThread; i++) {
                assertEquals(-i * 2, submitted.get(i).get(20, TimeUnit.SECONDS));
            }
            for (Thread thread : threads) {
                thread.join(60_000);
                assertFalse(thread.isAlive(), "an apply never got its answer");
            }
            assertNull(failed.get());
        } catch (ExecutionException e) {
            throw new AssertionError(e.getCause());
        }
    }

    private static boolean waitGone(long pid, long since) throws InterruptedException {
        while (System.nanoTime() - since < TimeUnit.SECONDS.toNanos(2)) {
            if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                Thread.sleep(20);
            } else {
                return true;
            }
        }
        return false;
    }
}
