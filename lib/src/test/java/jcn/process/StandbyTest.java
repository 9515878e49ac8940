package jcn.process;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The standby JVM (the twin of CPython's forkserver) must be invisible to the code that takes
 * it: the child that gets it has its own name, output, exit code and the queues of the moment
 * it was taken, and standbys are made only when a child ended and never outlive what asked.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StandbyTest {

    @AfterEach
    void backToOne() {
        ChildProcess.setStandby(1);
    }

    /** Runs a child to its end, then waits for the standby that its end brings. */
    static long standbyAfterAChild() throws Exception {
        ChildProcess.setStandby(1);
        ChildProcess.start(() -> 1).result();
        assertTrue(ChildProcess.awaitStandby(Duration.ofSeconds(10)), "the standby booted");
        List<Long> pids = Standby.pids();
        assertEquals(1, pids.size(), "one standby after a child ended: " + pids);
        return pids.getFirst();
    }

    @Test
    void theNextChildIsTheStandbyAndBehavesAsANewOne() throws Exception {
        long standby = standbyAfterAChild();
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        ChildProcess<String> child;
        String name;
        try {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            child = ChildProcess.of(() -> {
                System.out.println("hello from the taken standby");
                return System.getProperty("jcn.child.name");
            }).named("taker").start();
            name = child.result();
        } finally {
            System.setOut(original);
        }
        assertEquals(standby, child.pid(), "the child took the standby JVM");
        assertEquals("taker", name, "the child knows its own name, not the standby's");
        assertTrue(captured.toString(StandardCharsets.UTF_8).contains("[taker] hello from the taken standby"),
                captured.toString(StandardCharsets.UTF_8));
        assertEquals(0, child.exitCode().getAsInt());
    }

    @Test
    void aQueueMadeAfterTheStandbyBootedWorksInIt() throws Exception {
        long standby = standbyAfterAChild();
        try (ProcessQueue<String> queue = ProcessQueue.create()) {
            ChildProcess<Long> child = ChildProcess.start(() -> {
                queue.put("from the standby");
                return ProcessHandle.current().pid();
            });
            assertEquals("from the standby", queue.get(Duration.ofSeconds(10)));
            assertEquals(standby, child.result());
        }
    }

    @Test
    void aPoolTakesTheStandbyForOneOfItsWorkers() throws Exception {
        long standby = standbyAfterAChild();
        try (ProcessPool pool = ProcessPool.create(2)) {
            assertTrue(pool.workerPids().contains(standby), pool.workerPids() + " should hold " + standby);
            assertEquals(List.of(1, 4, 9), pool.map(x -> x * x, List.of(1, 2, 3)));
        }
    }

    @Test
    void childrenWithTheirOwnJvmOptionsStartCold() throws Exception {
        long standby = standbyAfterAChild();
        ChildProcess<Long> child = ChildProcess.of(() -> Runtime.getRuntime().maxMemory()).jvmOptions("-Xmx64m").start();
        assertTrue(child.result() <= 64L << 20, "the option reached the child");
        assertNotEquals(standby, child.pid());
        assertTrue(ProcessHandle.of(standby).map(ProcessHandle::isAlive).orElse(false), "the standby is still there");
    }

    @Test
    void setStandbyZeroEndsThemAndChildrenStartCold() throws Exception {
        long standby = standbyAfterAChild();
        ChildProcess.setStandby(0);
        ProcessHandle handle = ProcessHandle.of(standby).orElse(null);
        if (handle != null) {
            handle.onExit().get(5, TimeUnit.SECONDS);
        }
        ChildProcess<Integer> child = ChildProcess.start(() -> 2);
        assertEquals(2, child.result());
        assertNotEquals(standby, child.pid());
        Thread.sleep(300);
        assertEquals(List.of(), Standby.pids(), "no standby is made while they are turned off");
        assertThrows(IllegalArgumentException.class, () -> ChildProcess.setStandby(-1));
    }

    @Test
    void aKilledStandbyIsPassedOver() throws Exception {
        long standby = standbyAfterAChild();
        ProcessHandle handle = ProcessHandle.of(standby).orElseThrow();
        handle.destroyForcibly();
        handle.onExit().get(5, TimeUnit.SECONDS);
        ChildProcess<Integer> child = ChildProcess.start(() -> 3);
        assertEquals(3, child.result());
        assertNotEquals(standby, child.pid());
        assertFalse(Standby.pids().contains(standby));
    }
}
