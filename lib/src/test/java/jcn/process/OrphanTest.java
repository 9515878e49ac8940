package jcn.process;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** No child outlives its parent, however the parent ends. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OrphanTest {

    /** Whether the process exists and is not a zombie. */
    static boolean running(long pid) {
        try {
            String stat = java.nio.file.Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (java.io.IOException e) {
            return false;
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"returns", "throws", "SIGINT", "SIGTERM", "SIGKILL"})
    void childrenExitWithinTwoSecondsOfTheirParent(String how) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process parent = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                OrphanParent.class.getName(), how.startsWith("SIG") ? "waits" : how)
                .redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(parent.getInputStream()));
            String line;
            long childPid = -1;
            long standbyPid = -1;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("standby ")) {
                    standbyPid = Long.parseLong(line.substring(8).trim());
                }
                if (line.startsWith("child ")) {
                    childPid = Long.parseLong(line.substring(6).trim());
                    break;
                }
            }
            assertTrue(childPid > 0, "the parent reported its child");
            assertTrue(standbyPid > 0, "the parent reported its standby JVM");
            ProcessHandle child = ProcessHandle.of(childPid).orElse(null);
            assertNotNull(child, "the child is running");
            if (how.startsWith("SIG")) {
                new ProcessBuilder("kill", "-" + how.substring(3), Long.toString(parent.pid())).start().waitFor();
            }
            assertTrue(parent.waitFor(20, TimeUnit.SECONDS), "the parent ended");
            long parentEnded = System.nanoTime();
            // An orphan that has died stays a zombie until init reaps it, so "gone" means not running.
            while ((running(childPid) || running(standbyPid))
                    && System.nanoTime() - parentEnded < TimeUnit.SECONDS.toNanos(2)) {
                Thread.sleep(10);
            }
            if (running(childPid)) {
                child.destroyForcibly();
                fail("the child " + childPid + " was still running 2 s after its parent ended (" + how + ")");
            }
            if (running(standbyPid)) {
                ProcessHandle.of(standbyPid).ifPresent(ProcessHandle::destroyForcibly);
                fail("the standby JVM " + standbyPid + " was still running 2 s after its parent ended (" + how + ")");
            }
            double seconds = (System.nanoTime() - parentEnded) / 1e9;
            System.out.println("parent ended by " + how + ": child gone after " + String.format("%.3f", seconds) + " s");
        } finally {
            parent.destroyForcibly();
        }
    }
}
