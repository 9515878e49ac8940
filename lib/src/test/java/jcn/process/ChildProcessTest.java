package jcn.process;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ChildProcessTest {

    static int counter;

    record Point(int x, int y) implements Serializable {
    }

    @Test
    void returnsTheValueFromAnotherPid() throws Exception {
        long parent = ProcessHandle.current().pid();
        ChildProcess<Long> child = ChildProcess.start(() -> ProcessHandle.current().pid());
        long pid = child.result();
        assertNotEquals(parent, pid);
        assertEquals(child.pid(), pid);
        assertEquals(0, child.exitCode().getAsInt());
        assertFalse(child.isAlive());
    }

    @Test
    void capturedValuesTravelAndRecordsComeBack() throws Exception {
        int dx = 5;
        Point p = new Point(1, 2);
        assertEquals(new Point(6, 2), ChildProcess.start(() -> new Point(p.x() + dx, p.y())).result());
    }

    @Test
    void staticFieldChangedInTheChildStaysInTheChild() throws Exception {
        counter = 10;
        int seen = ChildProcess.start(() -> {
            counter += 1;
            return counter;
        }).result();
        assertEquals(1, seen, "the child starts from the class's own initial value");
        assertEquals(10, counter);
    }

    @Test
    void exceptionCarriesTheChildsStackTrace() throws Exception {
        ChildProcess<Integer> child = ChildProcess.of(() -> Integer.parseInt("forty-two")).named("parser").start();
        ChildFailedException e = assertThrows(ChildFailedException.class, child::result);
        assertTrue(e.getMessage().startsWith("parser (pid " + child.pid() + ") failed: java.lang.NumberFormatException"),
                e.getMessage());
        assertEquals("java.lang.NumberFormatException", e.exceptionClass());
        StackTraceElement[] frames = e.getCause().getStackTrace();
        assertTrue(List.of(frames).stream().anyMatch(f -> f.getMethodName().equals("parseInt")), List.of(frames).toString());
        assertEquals(1, child.exitCode().getAsInt());
    }

    @Test
    void outputLinesAreMarkedWithTheChildsName() throws Exception {
        PrintStream saved = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            ChildProcess<Void> child = ChildProcess.<Void>of(() -> {
                System.out.println("hello from the child");
                System.out.println("second line");
                return null;
            }).named("greeter").start();
            child.join();
        } finally {
            System.setOut(saved);
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("[greeter] hello from the child\n[greeter] second line\n"), out);
    }

    @Test
    void joinWithTimeoutKillAndExitCode() throws Exception {
        ChildProcess<Void> child = ChildProcess.<Void>start(() -> {
            Thread.sleep(30_000);
            return null;
        });
        assertFalse(child.join(Duration.ofMillis(200)));
        assertTrue(child.isAlive());
        assertTrue(child.exitCode().isEmpty());
        child.kill();
        assertTrue(child.join(Duration.ofSeconds(5)));
        assertEquals(137, child.exitCode().getAsInt());
        ChildDiedException e = assertThrows(ChildDiedException.class, child::result);
        assertTrue(e.getMessage().contains("killed by signal 9 (SIGKILL)"), e.getMessage());
    }

    @Test
    void systemExitInTheTaskIsTheExitCode() throws Exception {
        ChildProcess<Void> child = ChildProcess.<Void>start(() -> {
            System.exit(7);
            return null;
        });
        ChildDiedException e = assertThrows(ChildDiedException.class, child::result);
        assertEquals(7, e.exitCode());
        assertTrue(e.getMessage().contains("exited with code 7"), e.getMessage());
    }

    @Test
    void runsAMainClass() throws Exception {
        ChildProcess<Void> child = ChildProcess.ofMain(ExitMain.class, "5").start();
        child.join();
        assertEquals(5, child.exitCode().getAsInt());
    }

    /** A main class for {@link #runsAMainClass}. */
    public static final class ExitMain {
        public static void main(String[] args) {
            System.exit(Integer.parseInt(args[0]));
        }
    }

    @Test
    void badInputFailsAtOnceWithAClearMessage() {
        Object lock = new Object();
        IllegalArgumentException notSerializable = assertThrows(IllegalArgumentException.class,
                () -> ChildProcess.start(() -> lock.hashCode()));
        assertTrue(notSerializable.getMessage().contains("java.lang.Object, which is not Serializable"),
                notSerializable.getMessage());

        ChildProcess<Integer> unstarted = ChildProcess.of(() -> 1);
        IllegalStateException e = assertThrows(IllegalStateException.class, unstarted::join);
        assertTrue(e.getMessage().contains("has not been started; call start() first"), e.getMessage());

        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> ChildProcess.ofMain("com.example.NoSuchMain"));
        assertTrue(missing.getMessage().contains("no class named com.example.NoSuchMain"), missing.getMessage());

        assertThrows(IllegalArgumentException.class, () -> ChildProcess.ofMain(String.class));
    }

    @Test
    void startingTwiceIsRefused() throws Exception {
        ChildProcess<Integer> child = ChildProcess.start(() -> 1);
        assertThrows(IllegalStateException.class, child::start);
        assertEquals(1, child.result());
    }

    @Test
    void boundOnLiveChildren() throws Exception {
        int before = ChildProcess.maxAlive();
        ChildProcess.setMaxAlive(ChildProcess.alive() + 1);
        ChildProcess<Void> sleeper = ChildProcess.<Void>start(() -> {
            Thread.sleep(30_000);
            return null;
        });
        try {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> ChildProcess.start(() -> 1));
            assertTrue(e.getMessage().contains("ChildProcess.setMaxAlive"), e.getMessage());
        } finally {
            ChildProcess.setMaxAlive(before);
            sleeper.kill();
            sleeper.join(Duration.ofSeconds(5));
        }
        assertThrows(IllegalArgumentException.class, () -> ChildProcess.setMaxAlive(0));
    }

    @Test
    void interruptingJoinKillsTheChild() throws Exception {
        ChildProcess<Void> child = ChildProcess.<Void>start(() -> {
            Thread.sleep(30_000);
            return null;
        });
        Thread waiter = Thread.currentThread();
        Thread interrupter = new Thread(() -> {
            try {
                Thread.sleep(300);
            } catch (InterruptedException ignored) {
                return;
            }
            waiter.interrupt();
        });
        interrupter.start();
        assertThrows(InterruptedException.class, child::join);
        interrupter.join();
        assertTrue(child.join(Duration.ofSeconds(5)), "the child must be gone after the interrupt");
    }

    @Test
    void aMisspeltJvmOptionIsRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ChildProcess.of(() -> 1).jvmOptions("-XX:+NoSuchOption").start());
        assertTrue(e.getMessage().contains("NoSuchOption"), e.getMessage());
        IllegalArgumentException pool = assertThrows(IllegalArgumentException.class, () -> ProcessPool.create(2, "-Xmxx1g"));
        assertTrue(pool.getMessage().contains("-Xmxx1g"), pool.getMessage());
    }
}
