package jcn.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.collection.IQueue;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import jcn.process.ProcessTask;
import org.dflib.jjava.kernel.execution.JJavaLoaderDelegate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A real three-member cluster: tasks, a killed queue owner, and nothing left behind. */
class ClusterTest {

    private static Cluster cluster;
    private static final List<Long> pids = new ArrayList<>();

    @BeforeAll
    static void start() throws InterruptedException {
        cluster = Cluster.start(3);
        cluster.members().forEach(m -> pids.add(m.pid()));
    }

    @AfterAll
    static void noMemberLeft() throws InterruptedException {
        cluster.close();
        for (long pid : pids) {
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "member pid " + pid + " outlived close()");
        }
        assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.isAlive() && t.getName().startsWith("hz.")),
                "a Hazelcast thread outlived close()");
    }

    @Test
    void tasksRunInEachMemberJvm() throws Exception {
        Set<Long> ran = new HashSet<>();
        for (var f : cluster.submitToAll(() -> ProcessHandle.current().pid()).values()) {
            ran.add(f.get(30, TimeUnit.SECONDS));
        }
        assertEquals(Set.copyOf(cluster.members().stream().map(MemberJvm::pid).toList()), ran);
        assertEquals(3, ran.size());
    }

    @Test
    @SuppressWarnings("unchecked")
    void aCellVariableTheLambdaReadsReachesEveryMember() throws Exception {
        // A "cell" class that exists only as bytes in a kernel-like loader, as a notebook's do.
        JJavaLoaderDelegate kernel = new JJavaLoaderDelegate();
        String cellName = "REPL.$JShell$7";
        try (InputStream in = ClusterTest.class.getResourceAsStream("/REPL/$JShell$7.class")) {
            kernel.declare(cellName, in.readAllBytes());
        }
        Class<?> cell = Class.forName(cellName, true, kernel.loader);
        cell.getField("base").setInt(null, 101);
        ProcessTask<Integer> task = (ProcessTask<Integer>) cell.getMethod("task").invoke(null);
        // Sent at once, the first tasks to need the class run side by side on a member's executor
        // threads: each must see the copy of the variable, not the class's default.
        assertEveryTaskSaw(101, task);
        // Assigned again, the variable reaches each member with its next task.
        cell.getField("base").setInt(null, 7);
        assertEveryTaskSaw(7, task);
    }

    private static void assertEveryTaskSaw(int expected, ProcessTask<Integer> task) throws Exception {
        List<java.util.concurrent.CompletableFuture<Integer>> burst = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            for (MemberJvm m : cluster.members()) {
                burst.add(cluster.submitTo(m, task));
            }
        }
        List<Integer> saw = new ArrayList<>();
        for (var f : burst) {
            saw.add(f.get(30, TimeUnit.SECONDS));
        }
        assertEquals(List.of(expected), saw.stream().distinct().toList(), "what the tasks saw of base");
    }

    @Test
    void queueWithBackupLosesNothingWhenItsOwnerIsKilled() throws Exception {
        IQueue<Integer> queue = cluster.client().getQueue("backed-up");
        for (int i = 0; i < 1000; i++) {
            queue.put(i);
        }
        MemberJvm owner = cluster.ownerOf(queue);
        cluster.kill(owner);
        try {
            assertAllReadBack(queue);
        } finally {
            pids.add(cluster.addMember().pid());   // the other tests count on three members
        }
        assertEquals(3, cluster.members().size());
    }

    private static void assertAllReadBack(IQueue<Integer> queue) {
        List<Integer> read = new ArrayList<>();
        for (int attempt = 0; ; attempt++) {
            try {
                for (Integer item = queue.poll(); item != null; item = queue.poll()) {
                    read.add(item);
                }
                break;
            } catch (RuntimeException e) {
                // the first call after the kill may go to the dead member's connection once
                assertTrue(attempt < 3, "the queue kept failing: " + e);
            }
        }
        assertEquals(1000, read.size(), "items read back");
        assertEquals(1000, new HashSet<>(read).size(), "distinct items read back");
    }
}
