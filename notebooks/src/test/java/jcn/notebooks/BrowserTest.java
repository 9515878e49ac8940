package jcn.notebooks;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.json.Json;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A reader's session in JupyterLab, in Debian's headless chromium: the notebook
 * {@code 05-thread-pools} (system property {@code jcn.browser.notebook} names another) is opened
 * in a server started by {@code ./jcn lab}, then
 * <ol>
 *   <li>its outputs are cleared and Run All runs it; the page must show as many tables and
 *       charts as the committed run has (a chart is required: {@link #REQUIRE_CHART});</li>
 *   <li>the parameter cell ({@code int workers = 3;}) is edited in the editor and it and the
 *       cells below are rerun; the first table and chart below it must change;</li>
 *   <li>the notebook is saved; the file on disk holds the new source and the new outputs;</li>
 *   <li>a new cell {@code Thread.sleep(60_000);} is run and stopped with the toolbar's Interrupt
 *       button within 2 s, and a next cell runs in the same kernel;</li>
 *   <li>the kernel is restarted from the Kernel menu: its process and every child process of it
 *       (the test starts one, a {@code sleep}) are gone, and the new kernel answers.</li>
 * </ol>
 * Every step leaves a screenshot in {@code notebooks/target/browser/screenshots/}; every wait is
 * bounded. The notebook runs from a scratch copy, so the committed file is never touched.
 */
class BrowserTest {

    static final String NOTEBOOK = System.getProperty("jcn.browser.notebook", "05-thread-pools.ipynb");
    /** The parameter the test changes: the first {@code int NAME = N;} line of the notebook. */
    static final String PARAMETER = System.getProperty("jcn.browser.parameter", "workers");
    /**
     * Whether the notebook must show a chart (an image output). With the chart renderer in the
     * helper jar, 05-thread-pools has its timeline; set {@code -Djcn.browser.requireChart=false}
     * for a notebook without one.
     */
    static final boolean REQUIRE_CHART = Boolean.parseBoolean(System.getProperty("jcn.browser.requireChart", "true"));

    static final Duration KERNEL_START = Duration.ofSeconds(90);
    static final Duration RUN_ALL = Duration.ofSeconds(120);
    static final Duration INTERRUPT_LIMIT = Duration.ofSeconds(2);

    /** One code cell as the page shows it. */
    record Cell(int index, String prompt, String source, String output, int tables, int images, String image,
                int stderr) {
        boolean running() {
            return prompt.contains("*");
        }

        boolean executed() {
            return prompt.matches("\\[\\d+\\]:?");
        }
    }

    private static final String SNAPSHOT_JS = """
            const cells = Array.from(document.querySelectorAll('.jp-NotebookPanel .jp-Notebook .jp-Cell'));
            return cells.map((cell, index) => {
              if (!cell.classList.contains('jp-CodeCell')) return null;
              const img = cell.querySelector('.jp-OutputArea-output img');
              const svg = cell.querySelector('.jp-OutputArea-output svg');
              return {
                index: index,
                prompt: (cell.querySelector('.jp-InputPrompt') || {}).textContent || '',
                source: Array.from(cell.querySelectorAll('.jp-InputArea .cm-line')).map(l => l.textContent).join('\\n'),
                output: Array.from(cell.querySelectorAll('.jp-OutputArea-output')).map(o => o.innerText).join('\\n').slice(0, 4000),
                tables: cell.querySelectorAll('.jp-OutputArea-output table').length,
                images: cell.querySelectorAll('.jp-OutputArea-output img, .jp-OutputArea-output svg').length,
                image: img ? img.getAttribute('src') : (svg ? svg.outerHTML : ''),
                stderr: cell.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]').length
              };
            }).filter(c => c !== null);
            """;

    private Chromium browser;
    private LabServer lab;

    @Test
    void aReaderRunsEditsSavesInterruptsAndRestarts() throws Exception {
        long started = System.nanoTime();
        Path committed = Harness.notebooksDir().resolve(NOTEBOOK);
        assertTrue(Files.isRegularFile(committed), "the browser test opens " + committed + ", which does not exist "
                + "(set -Djcn.browser.notebook=NN-name.ipynb to test another notebook)");
        Committed expected = Committed.read(committed);
        assertTrue(expected.tables > 0, NOTEBOOK + " as committed shows no table: nothing for the test to look for");
        assertTrue(expected.images > 0 || !REQUIRE_CHART, NOTEBOOK + " as committed shows no chart (image output), "
                + "and a chart is required (-Djcn.browser.requireChart=false turns this off)");
        Path work = Harness.notebooksDir().resolve("target/browser");
        Chromium.deleteTree(work.resolve("screenshots"));

        try (LabServer lab = new LabServer(work.resolve("lab"), committed, KERNEL_START);
             Chromium browser = new Chromium(work.resolve("profile"), work.resolve("screenshots"))) {
            this.lab = lab;
            this.browser = browser;
            try {
                session(started, expected);
            } catch (AssertionError | RuntimeException e) {
                System.err.println("browser test failed; screenshots in " + work.resolve("screenshots")
                        + ", the last: " + browser.screenshot("failure"));
                System.err.println("./jcn lab log (tail):\n" + lab.logTail());
                throw e;
            }
        }
    }

    private void session(long started, Committed expected) throws Exception {
        long ready = System.nanoTime(); // JupyterLab serving, chromium started

        // 1. Open, clear the committed outputs, Run All: tables and charts appear.
        browser.driver.get(lab.url("/lab/tree/" + NOTEBOOK));
        await("the notebook to open with its cells", KERNEL_START, () -> cells().size() >= expected.codeCells ? true : null);
        awaitKernelIdle(KERNEL_START);
        browser.screenshot("opened");
        menu("Edit", "Clear Outputs of All Cells");
        await("the outputs to clear", Duration.ofSeconds(10),
                () -> cells().stream().allMatch(c -> c.output().isBlank() && !c.executed()) ? true : null);
        menu("Run", "Run All Cells");
        List<Cell> afterRun = awaitAllExecuted("Run All", RUN_ALL);
        afterRun.stream().filter(c -> c.images() > 0 || c.tables() > 0).findFirst().ifPresent(c -> show(c.index()));
        browser.screenshot("run-all");
        int tables = afterRun.stream().mapToInt(Cell::tables).sum();
        int images = afterRun.stream().mapToInt(Cell::images).sum();
        assertTrue(tables >= expected.tables, "after Run All the page shows " + tables + " tables; the committed run has "
                + expected.tables + " (is the table renderer broken?)\n" + describe(afterRun));
        if (REQUIRE_CHART || expected.images > 0) {
            assertTrue(images >= Math.max(1, expected.images), "after Run All the page shows " + images
                    + " charts; the committed run has " + expected.images + "\n" + describe(afterRun));
        }

        // 2. Edit the parameter cell in the editor, rerun it and the cells below: the outputs change.
        Pattern parameter = Pattern.compile("(?m)^int " + Pattern.quote(PARAMETER) + " = (\\d+);");
        Cell paramCell = afterRun.stream().filter(c -> parameter.matcher(c.source()).find()).findFirst()
                .orElseThrow(() -> new AssertionError("no cell of " + NOTEBOOK + " starts a line with 'int "
                        + PARAMETER + " = N;'\n" + describe(afterRun)));
        Matcher m = parameter.matcher(paramCell.source());
        assertTrue(m.find());
        int oldValue = Integer.parseInt(m.group(1));
        int newValue = oldValue == 5 ? 4 : 5;
        String newSource = m.replaceFirst("int " + PARAMETER + " = " + newValue + ";");
        Cell tableBefore = firstBelow(afterRun, paramCell, c -> c.tables() > 0, "a table");
        Cell chartBefore = expected.images > 0 || REQUIRE_CHART
                ? firstBelow(afterRun, paramCell, c -> c.images() > 0, "a chart") : null;
        int lastPromptBefore = lastPromptNumber(afterRun);

        WebElement editor = cellElement(paramCell.index()).findElement(By.cssSelector(".cm-content"));
        editor.click();
        new Actions(browser.driver).keyDown(Keys.CONTROL).sendKeys("a").keyUp(Keys.CONTROL).perform();
        new Actions(browser.driver).sendKeys(Keys.DELETE).perform();
        new Actions(browser.driver).sendKeys(newSource).perform();
        await("the editor to hold the new source", Duration.ofSeconds(10),
                () -> cell(paramCell.index()).source().equals(newSource) ? true : null);
        show(paramCell.index());
        browser.screenshot("edited");
        menu("Run", "Run Selected Cell and All Below");
        List<Cell> afterEdit = await("the edited cell and those below it to rerun", RUN_ALL, () -> {
            List<Cell> now = cells();
            boolean done = now.stream().filter(c -> c.index() >= paramCell.index())
                    .allMatch(c -> c.executed() && promptNumber(c) > lastPromptBefore);
            return done ? now : null;
        });
        show(paramCell.index());
        browser.screenshot("rerun");
        Cell tableAfter = cellAt(afterEdit, tableBefore.index());
        assertEquals(1, tableAfter.tables(), "the table below the parameter cell is gone after the rerun:\n"
                + tableAfter.output());
        assertNotEquals(tableBefore.output(), tableAfter.output(),
                "the table did not change after " + PARAMETER + " went from " + oldValue + " to " + newValue);
        String column = columnValue(tableAfter.index(), PARAMETER);
        if (column != null) {
            assertEquals(String.valueOf(newValue), column, "the table's '" + PARAMETER + "' column after the rerun");
        } else {
            assertTrue(tableAfter.output().matches("(?s).*\\b" + newValue + "\\b.*"),
                    "the table does not show the new " + PARAMETER + " = " + newValue + ":\n" + tableAfter.output());
        }
        if (chartBefore != null) {
            Cell chartAfter = cellAt(afterEdit, chartBefore.index());
            assertTrue(chartAfter.images() > 0, "the chart below the parameter cell is gone after the rerun");
            assertNotEquals(chartBefore.image(), chartAfter.image(), "the chart did not change after the edit");
        }

        // 3. Save: the file on disk holds the new source and the new outputs.
        menu("File", "Save Notebook");
        Path saved = lab.notebookDir.resolve(NOTEBOOK);
        Map<String, Object> onDisk = await("the saved file to hold the new source", Duration.ofSeconds(15), () -> {
            Map<String, Object> nb = readNotebook(saved);
            return nb != null && codeSources(nb).contains(newSource) ? nb : null;
        });
        browser.screenshot("saved");
        String savedHtml = outputsOf(onDisk, codeSources(onDisk).indexOf(tableAfterSource(afterEdit, tableBefore)));
        for (String value : tableValues(tableBefore.index())) {
            assertTrue(savedHtml.contains(value),
                    "the saved table output lacks the value '" + value + "' the page shows:\n" + savedHtml);
        }
        assertTrue(savedHtml.matches("(?s).*>\\s*" + newValue + "\\s*<.*"),
                "the saved table does not hold " + PARAMETER + " = " + newValue + ":\n" + savedHtml);

        // 4. A long cell, stopped with the toolbar's Interrupt button; the kernel goes on.
        int longCell = appendCell("Thread.sleep(60_000);");
        await("the long cell to start running", Duration.ofSeconds(15), () -> cell(longCell).running() ? true : null);
        Thread.sleep(1000);
        show(longCell);
        browser.screenshot("long-cell-running");
        WebElement interrupt = browser.driver.findElement(By.cssSelector(
                ".jp-NotebookPanel-toolbar [data-command='notebook:interrupt-kernel']"));
        long pressed = System.nanoTime();
        interrupt.click();
        await("the long cell to stop after Interrupt", Duration.ofSeconds(10),
                () -> cell(longCell).running() ? null : true);
        Duration stopped = Duration.ofNanos(System.nanoTime() - pressed);
        show(longCell);
        browser.screenshot("interrupted");
        assertTrue(stopped.compareTo(INTERRUPT_LIMIT) <= 0,
                "the long cell stopped " + stopped.toMillis() + " ms after Interrupt; the limit is " + INTERRUPT_LIMIT.toMillis() + " ms");
        int next = appendCell("Math.addExact(40, 2)");
        Cell answer = await("a cell after the interrupt to run", Duration.ofSeconds(20),
                () -> cell(next).executed() && !cell(next).output().isBlank() ? cell(next) : null);
        assertEquals("42", answer.output().trim(), "the cell after the interrupt printed something else");
        show(next);
        browser.screenshot("after-interrupt");

        // 5. Restart from the Kernel menu: the old kernel and its children are gone.
        int pids = appendCell("ProcessHandle.current().pid() + \" \" + new ProcessBuilder(\"sleep\", \"600\").start().pid()");
        Cell pidCell = await("the kernel to report its pid", Duration.ofSeconds(20),
                () -> cell(pids).executed() && cell(pids).output().trim().matches("\\d+ \\d+") ? cell(pids) : null);
        String[] parts = pidCell.output().trim().split(" ");
        long kernelPid = Long.parseLong(parts[0]);
        long childPid = Long.parseLong(parts[1]);
        List<Long> oldTree = new ArrayList<>(List.of(kernelPid));
        ProcessHandle.of(kernelPid).ifPresent(k -> k.descendants().forEach(d -> oldTree.add(d.pid())));
        assertTrue(oldTree.contains(childPid), "the sleep child " + childPid + " is not under kernel " + kernelPid);
        assertTrue(lab.process.descendants().anyMatch(p -> p.pid() == kernelPid),
                "the kernel " + kernelPid + " is not a child of the ./jcn lab server");
        menu("Kernel", "Restart Kernel");
        WebElement accept = await("the restart dialog", Duration.ofSeconds(10), () ->
                browser.driver.findElements(By.cssSelector(".jp-Dialog .jp-mod-accept")).stream().findFirst().orElse(null));
        browser.screenshot("restart-dialog");
        accept.click();
        await("the old kernel and its children to exit", Duration.ofSeconds(30),
                () -> oldTree.stream().noneMatch(BrowserTest::alive) ? true : null);
        awaitKernelIdle(KERNEL_START);
        int fresh = appendCell("ProcessHandle.current().pid()");
        Cell freshPid = await("the new kernel to answer", KERNEL_START,
                () -> cell(fresh).executed() && cell(fresh).output().trim().matches("\\d+") ? cell(fresh) : null);
        show(fresh);
        browser.screenshot("restarted");
        assertNotEquals(String.valueOf(kernelPid), freshPid.output().trim(), "the kernel did not restart");
        List<Long> left = oldTree.stream().filter(BrowserTest::alive).toList();
        assertTrue(left.isEmpty(), "processes of the old kernel left after the restart: " + left);

        System.out.printf("browser test: %s; lab and browser ready in %.1f s, whole test %.1f s; interrupt stopped the cell in %d ms%n",
                NOTEBOOK, (ready - started) / 1e9, (System.nanoTime() - started) / 1e9, stopped.toMillis());
    }

    // ------------------------------------------------------------------ the committed notebook

    /** What the committed run shows: code cells, tables (HTML outputs with a table), images. */
    record Committed(int codeCells, int tables, int images) {
        @SuppressWarnings("unchecked")
        static Committed read(Path file) throws Exception {
            Map<String, Object> nb = readNotebook(file);
            int code = 0, tables = 0, images = 0;
            for (Map<String, Object> cell : (List<Map<String, Object>>) nb.get("cells")) {
                if (!"code".equals(cell.get("cell_type"))) {
                    continue;
                }
                code++;
                for (Map<String, Object> out : (List<Map<String, Object>>) cell.get("outputs")) {
                    Map<String, Object> data = (Map<String, Object>) out.getOrDefault("data", Map.of());
                    if (text(data.get("text/html")).contains("<table")) {
                        tables++;
                    }
                    if (data.containsKey("image/png") || data.containsKey("image/svg+xml")) {
                        images++;
                    }
                }
            }
            return new Committed(code, tables, images);
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> readNotebook(Path file) {
        try {
            return new Json().toType(Files.readString(file), Map.class);
        } catch (Exception e) {
            return null; // being written
        }
    }

    @SuppressWarnings("unchecked")
    static List<String> codeSources(Map<String, Object> nb) {
        return ((List<Map<String, Object>>) nb.get("cells")).stream()
                .filter(c -> "code".equals(c.get("cell_type"))).map(c -> text(c.get("source"))).toList();
    }

    @SuppressWarnings("unchecked")
    static String outputsOf(Map<String, Object> nb, int codeIndex) {
        assertTrue(codeIndex >= 0, "the saved notebook lacks the table cell's source");
        Map<String, Object> cell = ((List<Map<String, Object>>) nb.get("cells")).stream()
                .filter(c -> "code".equals(c.get("cell_type"))).toList().get(codeIndex);
        assertTrue(cell.get("execution_count") != null, "the saved table cell has no execution count");
        StringBuilder all = new StringBuilder();
        for (Map<String, Object> out : (List<Map<String, Object>>) cell.get("outputs")) {
            Map<String, Object> data = (Map<String, Object>) out.getOrDefault("data", Map.of());
            all.append(text(data.get("text/html"))).append(text(out.get("text")));
        }
        return all.toString();
    }

    @SuppressWarnings("unchecked")
    static String text(Object source) {
        if (source == null) {
            return "";
        }
        return source instanceof List<?> lines ? String.join("", (List<String>) lines) : source.toString();
    }

    // ------------------------------------------------------------------ the page

    @SuppressWarnings("unchecked")
    private List<Cell> cells() {
        Object raw = ((JavascriptExecutor) browser.driver).executeScript(SNAPSHOT_JS);
        List<Cell> out = new ArrayList<>();
        for (Map<String, Object> c : (List<Map<String, Object>>) raw) {
            out.add(new Cell(((Number) c.get("index")).intValue(), (String) c.get("prompt"), (String) c.get("source"),
                    (String) c.get("output"), ((Number) c.get("tables")).intValue(), ((Number) c.get("images")).intValue(),
                    (String) c.get("image"), ((Number) c.get("stderr")).intValue()));
        }
        return out;
    }

    private Cell cell(int index) {
        return cellAt(cells(), index);
    }

    private static Cell cellAt(List<Cell> cells, int index) {
        return cells.stream().filter(c -> c.index() == index).findFirst()
                .orElseThrow(() -> new AssertionError("no code cell at index " + index));
    }

    private WebElement cellElement(int index) {
        return browser.driver.findElements(By.cssSelector(".jp-NotebookPanel .jp-Notebook .jp-Cell")).get(index);
    }

    /** Scrolls the page so the cell is at the top, for a screenshot that shows it and what follows. */
    private void show(int index) {
        ((JavascriptExecutor) browser.driver).executeScript("arguments[0].scrollIntoView({block: 'start'});",
                cellElement(index));
    }

    /** The first row's value in the column headed {@code name} of the cell's table, or null without one. */
    private String columnValue(int cellIndex, String name) {
        Object value = ((JavascriptExecutor) browser.driver).executeScript("""
                const table = arguments[0].querySelector('.jp-OutputArea-output table');
                if (!table) return null;
                const heads = Array.from(table.querySelectorAll('thead th, tr:first-child th')).map(h => h.textContent.trim());
                const at = heads.indexOf(arguments[1]);
                const row = table.querySelector('tbody tr');
                if (at < 0 || !row) return null;
                const cell = row.querySelectorAll('td, th')[at];
                return cell ? cell.textContent.trim() : null;
                """, cellElement(cellIndex), name);
        return (String) value;
    }

    private List<String> tableValues(int cellIndex) {
        return cellElement(cellIndex).findElements(By.cssSelector(".jp-OutputArea-output table td")).stream()
                .map(WebElement::getText).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    private static String tableAfterSource(List<Cell> cells, Cell table) {
        return cellAt(cells, table.index()).source();
    }

    private static Cell firstBelow(List<Cell> cells, Cell from, java.util.function.Predicate<Cell> what, String name) {
        return cells.stream().filter(c -> c.index() > from.index()).filter(what).findFirst()
                .orElseThrow(() -> new AssertionError("no cell below the parameter cell shows " + name + "\n" + describe(cells)));
    }

    private static int promptNumber(Cell c) {
        Matcher m = Pattern.compile("\\[(\\d+)\\]").matcher(c.prompt());
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    private static int lastPromptNumber(List<Cell> cells) {
        return cells.stream().mapToInt(BrowserTest::promptNumber).max().orElse(0);
    }

    private List<Cell> awaitAllExecuted(String what, Duration limit) throws InterruptedException {
        return await(what + " to finish", limit, () -> {
            List<Cell> now = cells();
            if (now.stream().noneMatch(Cell::running) && now.stream().anyMatch(c -> c.stderr() > 0)
                    && !now.stream().allMatch(Cell::executed)) {
                throw new AssertionError(what + " stopped at an error:\n" + describe(now));
            }
            return now.stream().allMatch(Cell::executed) ? now : null;
        });
    }

    /** Clicks a top menu, then the item whose label starts with {@code item}. */
    private void menu(String top, String item) throws InterruptedException {
        WebElement bar = await("the menu " + top, Duration.ofSeconds(10), () -> browser.driver
                .findElements(By.cssSelector("#jp-menu-panel .lm-MenuBar-item, .lm-MenuBar-item")).stream()
                .filter(e -> e.getText().trim().equals(top)).findFirst().orElse(null));
        bar.click();
        WebElement entry = await("the menu item " + top + " › " + item, Duration.ofSeconds(10), () -> browser.driver
                .findElements(By.cssSelector(".lm-Menu .lm-Menu-item")).stream()
                .filter(e -> e.isDisplayed() && e.getText().trim().startsWith(item)).findFirst().orElse(null));
        entry.click();
    }

    /** Adds a code cell at the end of the notebook, types {@code source} into it and runs it; returns its index. */
    private int appendCell(String source) throws InterruptedException {
        List<Cell> before = cells();
        Cell last = before.get(before.size() - 1);
        WebElement lastElement = browser.driver.findElements(By.cssSelector(".jp-NotebookPanel .jp-Notebook .jp-Cell"))
                .getLast();
        lastElement.findElement(By.cssSelector(".jp-InputPrompt")).click();
        new Actions(browser.driver).sendKeys(Keys.ESCAPE).sendKeys("b").perform();
        int count = browser.driver.findElements(By.cssSelector(".jp-NotebookPanel .jp-Notebook .jp-Cell")).size();
        int index = await("a new cell below", Duration.ofSeconds(10), () -> {
            int n = browser.driver.findElements(By.cssSelector(".jp-NotebookPanel .jp-Notebook .jp-Cell")).size();
            return n > Math.max(last.index() + 1, count - 1) ? n - 1 : null;
        });
        cellElement(index).findElement(By.cssSelector(".cm-content")).click();
        new Actions(browser.driver).sendKeys(source).perform();
        await("the new cell to hold its source", Duration.ofSeconds(10),
                () -> cell(index).source().equals(source) ? true : null);
        new Actions(browser.driver).keyDown(Keys.CONTROL).sendKeys(Keys.ENTER).keyUp(Keys.CONTROL).perform();
        return index;
    }

    private void awaitKernelIdle(Duration limit) throws InterruptedException {
        await("the kernel to be idle", limit, () -> {
            String sessions = lab.api("/api/sessions");
            return sessions != null && sessions.contains("\"execution_state\": \"idle\"")
                    || sessions != null && sessions.contains("\"execution_state\":\"idle\"") ? true : null;
        });
    }

    /** Polls {@code probe} every 200 ms until it returns non-null; fails after {@code limit}. */
    private <T> T await(String what, Duration limit, Supplier<T> probe) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        RuntimeException last = null;
        while (true) {
            try {
                T value = probe.get();
                if (value != null) {
                    return value;
                }
            } catch (RuntimeException e) {
                last = e; // the page may be between renders
            }
            if (System.nanoTime() > deadline) {
                String page;
                try {
                    page = describe(cells());
                } catch (RuntimeException e) {
                    page = "(page unreadable: " + e + ")";
                }
                AssertionError error = new AssertionError("waited " + limit.toSeconds() + " s for " + what
                        + "; the notebook's code cells now:\n" + page);
                if (last != null) {
                    error.addSuppressed(last);
                }
                throw error;
            }
            Thread.sleep(200);
        }
    }

    private static String describe(List<Cell> cells) {
        StringBuilder out = new StringBuilder();
        for (Cell c : cells) {
            String first = c.source().lines().findFirst().orElse("");
            out.append(String.format("  cell %d %s %s | tables %d, images %d%s | %s%n", c.index(), c.prompt(),
                    first.length() > 60 ? first.substring(0, 60) + "..." : first, c.tables(), c.images(),
                    c.stderr() > 0 ? ", stderr/error outputs " + c.stderr() : "",
                    Objects.toString(c.output(), "").replace('\n', ' ').substring(0, Math.min(160, c.output().length()))));
        }
        return out.toString();
    }

    private static boolean alive(long pid) {
        Path stat = Path.of("/proc/" + pid + "/stat");
        try {
            String s = Files.readString(stat);
            // A zombie waits only for its parent to reap it: it runs nothing any more.
            return !s.substring(s.lastIndexOf(')') + 2).startsWith("Z");
        } catch (Exception e) {
            return false;
        }
    }
}
