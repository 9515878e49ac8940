package jcn.notebooks;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * What a notebook reader does to child JVMs under the real JJava kernel
 * ({@code harness/kernel_interrupt.py}): stops a cell that waits on a busy {@link
 * jcn.process.ProcessPool} with JupyterLab's interrupt, then goes on in the same kernel; and
 * makes a pool, a queue and a lock in different cells, in that order, rerunning cells.
 *
 * <p>The harness bounds every cell and the whole run, shuts its kernels down and kills any child
 * JVM they left, so a failing run leaves nothing behind. Its stderr (the kernels' logs) goes to
 * {@code target/kernel_interrupt.log}.
 */
class ProcessInterruptKernelTest {

    private static String report;
    private static Map<String, String> fields;

    @BeforeAll
    static void runInTheKernel() throws Exception {
        Path root = Harness.root();
        Path jar = root.resolve("lib/target/jcn-lib.jar");
        if (!Files.isRegularFile(jar)) {
            fail("no helper jar at " + jar + "; run the tests with ./jcn test, which builds it");
        }
        Path log = Harness.notebooksDir().resolve("target/kernel_interrupt.log");
        Files.createDirectories(log.getParent());
        ProcessBuilder builder = new ProcessBuilder(root.resolve(".venv/bin/python").toString(),
                Harness.notebooksDir().resolve("harness/kernel_interrupt.py").toString(), jar.toString());
        builder.environment().put("JUPYTER_PATH", root.resolve(".venv/share/jupyter").toString());
        builder.environment().put("JUPYTER_PLATFORM_DIRS", "1");
        builder.redirectError(log.toFile());
        Process process = builder.start();
        String out;
        try {
            out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            // The script stops itself after 150 s; this is the backstop.
            if (!process.waitFor(3, TimeUnit.MINUTES)) {
                fail("kernel_interrupt.py did not finish in 3 minutes; see " + log);
            }
        } finally {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        report = out.strip();
        assertEquals(0, process.exitValue(), "kernel_interrupt.py failed: " + report + "\n" + tail(log));
        fields = parse(report);
    }

    // ------------------------------------------------------------ case 1: interrupt

    @Test
    void anInterruptEndsACellWaitingOnAPoolWithinSeconds() {
        assertSectionRan("twr");
        assertEndedWithinSeconds("twr");
    }

    @Test
    void anInterruptKillsTheWorkersOfAPoolMadeInTryWithResources() {
        assertSectionRan("twr");
        assertEquals("", get("twr_workers_alive_2s"), "workers of the interrupted try (ProcessPool pool = ...)"
                + " still alive 2 s after the interrupt (spinning: " + get("twr_workers_spinning_2s") + "); "
                + section("twr"));
        assertEquals("", get("twr_child_jvms_2s"), "child JVMs of the kernel 2 s after the interrupt; " + section("twr"));
    }

    @Test
    void theKernelRunsTheNextCellAfterAnInterrupt() {
        assertSectionRan("twr");
        assertNull(get("twr_next_error"), section("twr"));
        assertEquals("next 42", get("twr_next_output"), section("twr"));
    }

    @Test
    void anInterruptStopsTheRunningTasksOfAPoolHeldInAVariable() {
        assertNotNull(get("var_workers"), "no busy workers were seen; " + section("var"));
        assertEndedWithinSeconds("var");
        assertEquals("", get("var_workers_spinning_2s"), "workers of the pool still running the interrupted tasks"
                + " 2 s after the interrupt; " + section("var"));
    }

    @Test
    void anInterruptEndsAnApplyThatReadsItsOwnAnswer() {
        assertNotNull(get("varapply_workers"), "no busy worker was seen for the apply; " + section("var"));
        assertEndedWithinSeconds("varapply");
        assertEquals("", get("varapply_workers_spinning_2s"), "the worker of the interrupted apply still runs"
                + " 2 s after the interrupt; " + section("varapply"));
        assertNull(get("varapply_next_error"), section("varapply"));
        assertEquals("applied 42", get("varapply_next_output"), section("varapply"));
    }

    @Test
    void aPoolHeldInAVariableStillWorksAfterAnInterrupt() {
        assertNull(get("var_error"), section("var"));
        assertNull(get("var_next_error"), section("var"));
        assertTrue(String.valueOf(get("var_next_output")).startsWith("doubled [2, 4, 6] pids "), section("var"));
        assertNull(get("var_close_error"), section("var"));
        assertEquals("closed", get("var_close_output"), section("var"));
    }

    // ------------------------------------------------------------ case 2: creation order

    @Test
    void aPoolMadeBeforeAQueueAndALockUsesThem() {
        assertOrderCell("c");
    }

    @Test
    void rerunningTheCellThatUsesThemWorks() {
        assertOrderCell("c_rerun");
    }

    @Test
    void aQueueMadeAgainInARerunCellWorksWithTheOldPool() {
        assertNull(get("order_b_rerun_error"), section("order"));
        assertOrderCell("c_after_b_rerun");
    }

    @Test
    void thePoolQueueAndLockClose() {
        assertNull(get("order_error"), section("order"));
        assertNull(get("order_close_error"), section("order"));
        assertEquals("closed", get("order_close_output"), section("order"));
    }

    // ------------------------------------------------------------ clean-up

    @Test
    void noChildJvmWasLeftForTheHarnessToKill() {
        for (String name : new String[]{"twr", "var", "order"}) {
            String killed = get(name + "_stray_killed");
            assertTrue(killed == null || killed.isEmpty(), name + ": child JVMs still alive after the kernel shut"
                    + " down, killed by the harness: " + killed + "; " + section(name));
        }
    }

    // ------------------------------------------------------------ helpers

    private static void assertSectionRan(String name) {
        assertNull(get(name + "_error"), name + " did not run through: " + section(name));
    }

    private static void assertEndedWithinSeconds(String name) {
        String ended = get(name + "_cell_ended_after_s");
        assertNotNull(ended, "the interrupted cell had not ended 5 s after the interrupt; " + section(name));
        assertTrue(Double.parseDouble(ended) <= 5.0, "the interrupted cell took " + ended + " s to end");
    }

    private static void assertOrderCell(String step) {
        assertNull(get("order_a_error"), section("order"));
        assertNull(get("order_b_error"), section("order"));
        assertNull(get("order_" + step + "_error"), "cell " + step + " failed; " + section("order"));
        assertEquals("got [1, 2, 3, 4] items [1, 2, 3, 4]", get("order_" + step + "_output"), section("order"));
    }

    /** The field's value, JSON-unescaped; null if it is JSON null or absent. */
    private static String get(String name) {
        assertNotNull(fields, "the harness did not report");
        return fields.get(name);
    }

    /** The report's fields of one section, for failure messages. */
    private static String section(String name) {
        StringBuilder b = new StringBuilder("report of ").append(name).append(":");
        fields.forEach((k, v) -> {
            if (k.startsWith(name + "_") || k.equals("interrupt_mode")) {
                b.append("\n  ").append(k).append(" = ").append(v);
            }
        });
        return b.toString();
    }

    /** The harness prints one flat JSON object of strings, numbers, booleans and nulls. */
    static Map<String, String> parse(String json) {
        Map<String, String> map = new LinkedHashMap<>();
        Matcher m = Pattern.compile("\"([^\"]+)\": (\"((?:[^\"\\\\]|\\\\.)*)\"|null|[^,}]+)").matcher(json);
        while (m.find()) {
            String value = m.group(3) != null ? unescape(m.group(3))
                    : m.group(2).equals("null") ? null : m.group(2).strip();
            map.put(m.group(1), value);
        }
        return map;
    }

    private static String unescape(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\' || i + 1 == s.length()) {
                b.append(c);
                continue;
            }
            char e = s.charAt(++i);
            switch (e) {
                case 'n' -> b.append('\n');
                case 't' -> b.append('\t');
                case 'r' -> b.append('\r');
                case 'u' -> {
                    b.append((char) Integer.parseInt(s.substring(i + 1, i + 5), 16));
                    i += 4;
                }
                default -> b.append(e);
            }
        }
        return b.toString();
    }

    private static String tail(Path log) {
        try {
            var lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }
}
