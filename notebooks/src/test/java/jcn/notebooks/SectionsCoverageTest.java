package jcn.notebooks;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every section of the notes listed in {@code ../shared/SECTIONS.md} must have its notebook,
 * and that notebook must name the section's Chinese title so a reader of the notes finds
 * their place. One test per row.
 *
 * <p>SECTIONS.md lives beside the project's checkout (CI has it there); a clone without it
 * skips these tests rather than guess.
 *
 * <p>{@link #NOT_YET_WRITTEN} names the notebooks an open issue still has to write; a row
 * pointing at one of them passes only while that notebook is absent, so the list must shrink
 * as notebooks land and cannot hide a notebook that exists but misses its section.
 */
class SectionsCoverageTest {

    /** Notebooks still to be written, with the issue that writes them. */
    static final java.util.Map<String, String> NOT_YET_WRITTEN = java.util.Map.of();

    private static final Pattern ROW = Pattern.compile("^\\|\\s*(\\d+)\\s*\\|(.*)\\|\\s*([0-9]{2}-[a-z0-9-]+)\\s*\\|\\s*$");
    private static final Pattern CJK = Pattern.compile("[\\p{IsHan}][\\p{IsHan}\\p{Alnum} ]*[\\p{IsHan}]");

    @TestFactory
    Stream<DynamicTest> everySectionHasItsNotebook() throws Exception {
        Path sections = Harness.root().resolveSibling("shared").resolve("SECTIONS.md");
        Assumptions.assumeTrue(Files.exists(sections), "no " + sections + " beside the checkout");
        List<DynamicTest> tests = new ArrayList<>();
        for (String line : Files.readAllLines(sections)) {
            Matcher m = ROW.matcher(line);
            if (!m.matches()) {
                continue;
            }
            String row = m.group(1);
            String notebook = m.group(3);
            String title = m.group(2).split("\\|")[0].trim();
            tests.add(DynamicTest.dynamicTest("row " + row + " -> " + notebook, () -> {
                Path file = Harness.notebooksDir().resolve(notebook + ".ipynb");
                if (NOT_YET_WRITTEN.containsKey(notebook) && !Files.exists(file)) {
                    System.out.println("row " + row + ": " + notebook + " is still to be written ("
                            + NOT_YET_WRITTEN.get(notebook) + ")");
                    return;
                }
                assertTrue(!NOT_YET_WRITTEN.containsKey(notebook),
                        notebook + " exists now: take it off SectionsCoverageTest.NOT_YET_WRITTEN");
                assertTrue(Files.exists(file), "SECTIONS.md row " + row + " (" + title + ") needs " + file.getFileName());
                String text = Files.readString(file);
                Matcher han = CJK.matcher(title);
                if (han.find()) {
                    String chinese = han.group();
                    assertTrue(text.contains(chinese), notebook + " must name the section's Chinese title '"
                            + chinese + "' (row " + row + ")");
                }
            }));
        }
        assertTrue(tests.size() >= 16, "expected at least 16 rows in SECTIONS.md, found " + tests.size());
        return tests.stream();
    }
}
