package jcn.notebooks;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Executes every numbered notebook through the real Java kernel: one test per notebook,
 * named after it.
 *
 * <p>Each notebook runs twice in the same kernel (Run All, then Run All again), as a reader
 * who reruns it would. A notebook fails when a cell throws or times out in either pass, when it leaves threads or child
 * processes running after its last cell, or when the committed file lacks the outputs of a
 * clean run, or when a claim that needs free cores says it was not checked: this machine has
 * them, so every such claim must be checked here (ConstrainedMachineTest covers the machines
 * that cannot show them). All notebooks run in one harness process (one kernel each, one after another),
 * so measurements inside them do not compete for the machine's cores.
 */
class NotebookTest {

    @TestFactory
    Stream<DynamicTest> everyNotebookRunsCleanly() throws Exception {
        List<Path> notebooks = Harness.courseNotebooks();
        assertFalse(notebooks.isEmpty(), "no NN-name.ipynb notebooks found in " + Harness.notebooksDir());
        Map<String, Harness.Result> results = Harness.run(notebooks, List.of("--check-committed", "--twice", "--all-claims-checked"),
                Duration.ofMinutes(30), Harness.notebooksDir().resolve("target/harness/course"));
        return notebooks.stream().map(p -> p.getFileName().toString()).map(name ->
                DynamicTest.dynamicTest(name.replace(".ipynb", ""), () -> {
                    Harness.Result result = results.get(name);
                    assertTrue(result.passed(), () -> name + " failed:\n" + result.report());
                    System.out.println(name + ": " + result.report());
                }));
    }
}
