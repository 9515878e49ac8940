package jcn.notebooks;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * What a reader sees must hold together, checked without a kernel by
 * {@code harness/check_course.py}: no code cell over 40 lines, an index that links every
 * notebook and names every package and benchmark, and every linked CPython program run by its
 * notebook. One test per check, each listing every problem it found.
 */
class CourseCheckTest {

    @TestFactory
    Stream<DynamicTest> theCourseHoldsTogether() throws Exception {
        ProcessBuilder builder = new ProcessBuilder(Harness.root().resolve(".venv/bin/python").toString(),
                Harness.notebooksDir().resolve("harness/check_course.py").toString()).redirectErrorStream(true);
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            fail("check_course.py did not finish in 2 minutes");
        }
        List<String> lines = out.lines().toList();
        if (process.exitValue() > 1) {
            fail("check_course.py could not run: " + out);
        }
        return Stream.of("long-cells", "index", "programs").map(check -> DynamicTest.dynamicTest(check, () -> {
            List<String> problems = lines.stream().filter(l -> l.startsWith(check + ": ")).toList();
            assertTrue(problems.isEmpty(), problems.size() + " problem(s):\n" + String.join("\n", problems));
        }));
    }
}
