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
 */
class SectionsCoverageTest {

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
