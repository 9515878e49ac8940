package jcn.process;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProcessLockTest {

    @Test
    void childrenTakeTurnsOnAFile() throws Exception {
        Path file = Files.createTempFile("jcn-lock", ".txt");
        String name = file.toString();
        try (ProcessLock lock = ProcessLock.create()) {
            List<ChildProcess<Void>> children = new ArrayList<>();
            for (int c = 0; c < 3; c++) {
                int child = c;
                children.add(ChildProcess.<Void>start(() -> {
                    for (int i = 0; i < 50; i++) {
                        try (var held = lock.acquire()) {
                            // read-modify-write: without the lock, siblings overwrite each other's lines
                            String before = Files.readString(Path.of(name));
                            Files.writeString(Path.of(name), before + "child " + child + " line " + i + "\n");
                        }
                    }
                    return null;
                }));
            }
            for (ChildProcess<Void> c : children) {
                c.result();
            }
        }
        List<String> lines = Files.readAllLines(file);
        Files.delete(file);
        assertEquals(150, lines.size());
    }

    @Test
    void aDeadHoldersLockIsFreedAndWaitsAreBounded() throws Exception {
        try (ProcessLock lock = ProcessLock.create()) {
            ChildProcess<Void> holder = ChildProcess.<Void>start(() -> {
                lock.acquire();
                System.out.println("holding");
                Thread.sleep(30_000);
                return null;
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            // wait until the child holds it: our own attempt times out
            boolean childHolds = false;
            while (!childHolds && System.nanoTime() < deadline) {
                try (var held = lock.acquire(Duration.ofMillis(100))) {
                    Thread.sleep(50);
                } catch (TimeoutException e) {
                    childHolds = true;
                }
            }
            assertTrue(childHolds, "the child took the lock");
            holder.kill();
            try (var held = lock.acquire(Duration.ofSeconds(10))) {
                assertTrue(holder.join(Duration.ofSeconds(5)));
            }
        }
    }

    @Test
    void notReentrantAndClosedIsClosed() throws Exception {
        ProcessLock lock = ProcessLock.create();
        try (var held = lock.acquire()) {
            IllegalStateException e = assertThrows(IllegalStateException.class, lock::acquire);
            assertTrue(e.getMessage().contains("not reentrant"), e.getMessage());
        }
        lock.close();
        assertThrows(IllegalStateException.class, lock::acquire);
    }
}
