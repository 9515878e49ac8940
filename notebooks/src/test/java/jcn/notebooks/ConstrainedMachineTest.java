package jcn.notebooks;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CPU-bound notebooks on machines that cannot show their speed-ups: a reader on a
 * one-core cloud notebook, or on a laptop busy with something else. Each notebook must run to
 * the end, and where it has claims that need free cores, its output must say which were not
 * checked and why ("○ not checked in this run: ... this machine gave 1.02x to 2 spinning
 * threads right now ..."); 12 has none (its tasks sleep) and must simply run. Run once each,
 * first pinned to one core with {@code taskset -c 0}, then (all but 12, which a busy core only
 * slows) beside a process that keeps one core busy.
 */
class ConstrainedMachineTest {

    static final List<String> CPU_BOUND = List.of("01-processes-and-threads.ipynb", "07-gil-and-parallelism.ipynb",
            "09-process-pools.ipynb", "12-async.ipynb");

    private static Process spinner;

    @BeforeAll
    static void needsTaskset() {
        assertTrue(Files.isExecutable(Path.of("/usr/bin/taskset")),
                "taskset (Debian's util-linux) is needed to pin the notebooks to one core");
    }

    @AfterAll
    static void stopSpinner() {
        if (spinner != null) {
            spinner.destroyForcibly();
        }
    }

    /** What a busy core can change: the notebooks with claims that need free cores. */
    static final List<String> CORE_CLAIMS = CPU_BOUND.stream().filter(n -> !n.startsWith("12-")).toList();

    private static List<Path> notebooks(List<String> names) {
        return names.stream().map(n -> Harness.notebooksDir().resolve(n)).toList();
    }

    private static Stream<DynamicTest> judge(List<String> names, Map<String, Harness.Result> results, String machine) {
        return names.stream().map(name -> DynamicTest.dynamicTest(name.replace(".ipynb", "") + " on " + machine, () -> {
            Harness.Result result = results.get(name);
            assertTrue(result.passed(), () -> name + " on " + machine + " failed:\n" + result.report());
            System.out.println(name + " on " + machine + ": " + result.report());
        }));
    }

    @TestFactory
    Stream<DynamicTest> onOneCore() throws IOException, InterruptedException {
        Map<String, Harness.Result> results = Harness.run(notebooks(CPU_BOUND), List.of("--expect-not-checked"),
                Duration.ofMinutes(10), Harness.notebooksDir().resolve("target/harness/one-core"),
                List.of("/usr/bin/taskset", "-c", "0"));
        return judge(CPU_BOUND, results, "one core");
    }

    @TestFactory
    Stream<DynamicTest> withOneCoreBusy() throws IOException, InterruptedException {
        // A plain busy loop, as a browser tab or a build would be: it takes one core for as long as it runs.
        spinner = new ProcessBuilder("/bin/sh", "-c", "while :; do :; done").start();
        try {
            Map<String, Harness.Result> results = Harness.run(notebooks(CORE_CLAIMS), List.of("--expect-not-checked"),
                    Duration.ofMinutes(10), Harness.notebooksDir().resolve("target/harness/busy-core"));
            return judge(CORE_CLAIMS, results, "a busy core");
        } finally {
            spinner.destroyForcibly();
            spinner.waitFor();
        }
    }
}
