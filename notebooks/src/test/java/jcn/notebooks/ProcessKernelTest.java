package jcn.notebooks;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Child JVMs under the real JJava kernel ({@code harness/kernel_children.py}): a lambda written
 * in a cell, using a record, a method and a variable of other cells, runs in a child and
 * returns; a child dies with its kernel, whether the kernel is restarted or killed.
 */
class ProcessKernelTest {

    private static String report;

    @BeforeAll
    static void runInTheKernel() throws Exception {
        Path root = Harness.root();
        Path jar = root.resolve("lib/target/jcn-lib.jar");
        if (!Files.isRegularFile(jar)) {
            fail("no helper jar at " + jar + "; run the tests with ./jcn test, which builds it");
        }
        ProcessBuilder builder = new ProcessBuilder(root.resolve(".venv/bin/python").toString(),
                Harness.notebooksDir().resolve("harness/kernel_children.py").toString(), jar.toString());
        builder.environment().put("JUPYTER_PATH", root.resolve(".venv/share/jupyter").toString());
        builder.environment().put("JUPYTER_PLATFORM_DIRS", "1");
        builder.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(4, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            fail("kernel_children.py did not finish in 4 minutes");
        }
        report = out.strip();
        assertEquals(0, process.exitValue(), "kernel_children.py failed: " + report);
    }

    private static String field(String name) {
        Matcher m = Pattern.compile("\"" + name + "\": (\"(?:[^\"\\\\]|\\\\.)*\"|[^,}]+)").matcher(report);
        assertTrue(m.find(), "no " + name + " in " + report);
        return m.group(1);
    }

    @Test
    void aLambdaWrittenInCellsRunsInAChildJvm() {
        assertEquals("null", field("define_error"));
        assertEquals("null", field("lambda_error"), report);
        String out = field("lambda_output");
        assertTrue(out.contains("result Point[x=6765, y=100] from "), out);
        Matcher pids = Pattern.compile("\\[child-\\d+] hello from (\\d+)\\\\nresult .* from (\\d+), kernel (\\d+)").matcher(out);
        assertTrue(pids.find(), out);
        assertEquals(pids.group(1), pids.group(2), "the child printed its own pid, marked with its name");
        assertTrue(!pids.group(2).equals(pids.group(3)), "the task ran in another process than the kernel");
    }

    @Test
    void aVariableReadThroughAMethodOfAnotherCellTravelsAndFollowsAssignments() {
        assertEquals("null", field("offset_error"), report);
        assertTrue(field("offset_output").contains("offsets 8 11 21 31"), field("offset_output"));
    }

    @Test
    void aChildDiesWithinTwoSecondsOfAKernelRestart() {
        assertEquals("true", field("restart_child_running_before"));
        assertTrue(!field("restart_child_gone_after_s").equals("null"), "child still running 2 s after restart: " + report);
    }

    @Test
    void aChildDiesWithinTwoSecondsOfItsKernelBeingKilled() {
        assertEquals("true", field("kill_child_running_before"));
        assertTrue(!field("kill_child_gone_after_s").equals("null"), "child still running 2 s after kill -9: " + report);
        assertEquals("true", field("kill_standby_running_before"));
        assertTrue(!field("kill_standby_gone_after_s").equals("null"), "standby JVM still running 2 s after kill -9: " + report);
    }
}
