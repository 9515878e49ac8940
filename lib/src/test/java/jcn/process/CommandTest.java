package jcn.process;

import org.junit.jupiter.api.Test;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CommandTest {

    @Test
    void capturesOutputAndExitCode() {
        Command.Result ok = Command.run("sh", "-c", "echo hello; echo oops >&2; exit 3");
        assertEquals(3, ok.exitCode());
        assertTrue(ok.output().contains("hello") && ok.output().contains("oops"), ok.output());
        assertThrows(IllegalStateException.class, ok::orThrow);
    }

    @Test
    void aProgramStillRunningAtTheTimeoutIsKilled() {
        long t0 = System.nanoTime();
        assertThrows(Command.CommandTimeoutException.class, () -> Command.run(Duration.ofMillis(300), "sleep", "30"));
        assertTrue((System.nanoTime() - t0) / 1_000_000 < 5_000);
    }

    @Test
    void runsAPythonProgramWithArguments() {
        Command.Result r = Command.python("import sys\nprint(int(sys.argv[1]) * 2)\n", "21").orThrow();
        assertEquals("42", r.output().strip());
    }

    @Test
    void badInputIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Command.run());
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> Command.run("no-such-program-jcn"));
        assertTrue(e.getMessage().contains("could not start no-such-program-jcn"), e.getMessage());
    }

    /**
     * Every thread of the common pool is busy, as when other Commands or CompletableFuture work run
     * at the same time; a Command must still read its program's output. Run in a child JVM whose
     * common pool has two threads: with one, CompletableFuture would use a thread per task anyway,
     * which hides the stall on a 2-core machine.
     */
    @Test
    void outputIsReadEvenWhenTheCommonPoolIsBusy() throws Exception {
        ChildProcess<String> child = ChildProcess.<String>of(() -> {
            int threads = ForkJoinPool.getCommonPoolParallelism();
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch busy = new CountDownLatch(threads);
            for (int i = 0; i < threads; i++) {
                ForkJoinPool.commonPool().execute(() -> {
                    busy.countDown();
                    try {
                        release.await(60, TimeUnit.SECONDS);
                    } catch (InterruptedException ignored) {
                        // the test is over
                    }
                });
            }
            try {
                if (!busy.await(10, TimeUnit.SECONDS)) {
                    return "the common pool never got busy";
                }
                return Command.run(Duration.ofSeconds(20), "echo", "hi").output().strip();
            } finally {
                release.countDown();
            }
        }).jvmOptions("-Djava.util.concurrent.ForkJoinPool.common.parallelism=2").timeout(Duration.ofSeconds(60)).start();
        assertEquals("hi", child.result());
    }
}
