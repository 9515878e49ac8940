package jcn.notebooks;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Shows that the notebook harness can fail: fixture notebooks that throw, leak a thread,
 * leak a child process or were never run must each be reported, with the cell named; a
 * measured claim that fails gets exactly one fresh run, and one that keeps failing fails; a
 * claim that needs free cores and was not checked fails on the full machine and is required
 * on a small one.
 */
class HarnessSelfTest {

    private static final Path FIXTURES = Harness.notebooksDir().resolve("src/test/resources/fixtures");
    private static final Path REPORTS = Harness.notebooksDir().resolve("target/harness/fixtures");
    private static Map<String, Harness.Result> results;

    @BeforeAll
    static void runFixtures() throws Exception {
        results = Harness.run(List.of(
                        FIXTURES.resolve("throws.ipynb"),
                        FIXTURES.resolve("leaks-thread.ipynb"),
                        FIXTURES.resolve("leaks-process.ipynb"),
                        FIXTURES.resolve("renders-table.ipynb"),
                        FIXTURES.resolve("fails-on-rerun.ipynb")),
                List.of("--check-committed", "--twice", "--timeout", "60"), Duration.ofMinutes(5), REPORTS);
        // Not checked as committed: these two are about the retry of a failed claim alone.
        results = new java.util.HashMap<>(results);
        results.putAll(Harness.run(List.of(
                        FIXTURES.resolve("claim-fails-once.ipynb"),
                        FIXTURES.resolve("claim-always-fails.ipynb")),
                List.of("--twice", "--timeout", "60"), Duration.ofMinutes(3), REPORTS.resolveSibling("claims")));
        // A hardware claim that was not checked: an error on the full machine, expected on a small one.
        for (String mode : List.of("--all-claims-checked", "--expect-not-checked")) {
            Map<String, Harness.Result> run = Harness.run(List.of(
                            FIXTURES.resolve("claim-not-checked.ipynb"),
                            FIXTURES.resolve("claim-checked.ipynb")),
                    List.of(mode, "--timeout", "60"), Duration.ofMinutes(3), REPORTS.resolveSibling("cores" + mode));
            run.forEach((name, result) -> results.put(mode + " " + name, result));
        }
    }

    @Test
    void onTheFullMachineAClaimThatWasNotCheckedFailsTheNotebook() {
        Harness.Result r = results.get("--all-claims-checked claim-not-checked.ipynb");
        assertFalse(r.passed(), r.report());
        assertTrue(r.report().contains("claims not checked on the full machine"), r.report());
        assertTrue(r.report().contains("the fixture's two threads are faster than one"), r.report());
        assertTrue(r.report().contains("the first attempt had failed too"), "it gets the one retry:\n" + r.report());
        assertTrue(results.get("--all-claims-checked claim-checked.ipynb").passed());
    }

    @Test
    void onASmallMachineANotebookMustSayWhichClaimsWereNotChecked() {
        Harness.Result r = results.get("--expect-not-checked claim-not-checked.ipynb");
        assertTrue(r.passed(), r.report());
        assertTrue(r.report().contains("not checked in this run:\ncell 2: ○ not checked in this run: the fixture's two"
                + " threads are faster than one"), r.report());
        assertTrue(r.report().contains("gave 1.02x to 2 spinning threads"), r.report());
        Harness.Result silent = results.get("--expect-not-checked claim-checked.ipynb");
        assertFalse(silent.passed(), silent.report());
        assertTrue(silent.report().contains("no claim said it was not checked"), silent.report());
    }

    @Test
    void aClaimThatFailsOnceGetsOneFreshRunAndTheReportSaysSo() {
        Harness.Result r = results.get("claim-fails-once.ipynb");
        assertTrue(r.passed(), r.report());
        assertTrue(r.report().contains("after one retry; the first attempt failed"), r.report());
        assertTrue(r.report().contains("the fixture's measurement holds on a second attempt"), r.report());
    }

    @Test
    void aClaimThatKeepsFailingFailsTheNotebook() {
        Harness.Result r = results.get("claim-always-fails.ipynb");
        assertFalse(r.passed(), r.report());
        assertTrue(r.report().contains("a fixture that never holds"), r.report());
        assertTrue(r.report().contains("the first attempt had failed too"), r.report());
    }

    @Test
    void aThrowingCellFailsTheNotebookAndIsNamed() {
        Harness.Result r = results.get("throws.ipynb");
        assertFalse(r.passed(), r.report());
        assertTrue(r.report().contains("cell 3 failed with RuntimeException"), r.report());
        assertTrue(r.report().contains("boom from the fixture"), r.report());
        assertTrue(r.report().contains("| if (x == 1) {"), "the report quotes the cell's first lines:\n" + r.report());
    }

    @Test
    void aThreadLeftRunningFailsTheNotebook() {
        Harness.Result r = results.get("leaks-thread.ipynb");
        assertFalse(r.passed(), r.report());
        assertTrue(r.report().contains("threads left running after the last cell: fixture-sleeper"), r.report());
    }

    @Test
    void aChildProcessLeftRunningFailsTheNotebook() {
        Harness.Result r = results.get("leaks-process.ipynb");
        assertFalse(r.passed(), r.report());
        assertTrue(r.report().contains("child processes left running after the last cell"), r.report());
        assertTrue(r.report().contains("sleep 60"), r.report());
    }

    @Test
    void aCellThatBreaksWhenRunAllIsRepeatedFailsTheNotebook() {
        Harness.Result r = results.get("fails-on-rerun.ipynb");
        assertFalse(r.passed(), r.report());
        assertTrue(r.report().contains("second Run All in the same kernel: cell 1 failed"), r.report());
        assertTrue(r.report().contains("FileAlreadyExistsException"), r.report());
    }

    @Test
    void aNotebookCommittedWithoutOutputsFails() {
        Harness.Result r = results.get("renders-table.ipynb");
        assertFalse(r.passed(), r.report());
        assertTrue(r.report().contains("(as committed) cell 1 was never executed"), r.report());
    }

    @Test
    void aTableRendersAsHtmlWithTheCutLine() throws Exception {
        String executed = Files.readString(REPORTS.resolve("executed/renders-table.ipynb"));
        assertTrue(executed.contains("\"text/html\""), "no text/html output in the executed fixture");
        assertTrue(executed.contains("<table"), "the HTML output holds no table");
        assertTrue(executed.contains("70 more rows (100 in all)"), "the long table is not cut with a count");
        assertTrue(executed.contains("\"text/plain\""), "no text/plain fallback");
    }
}
