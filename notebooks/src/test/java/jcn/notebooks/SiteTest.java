package jcn.notebooks;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.SimpleFileServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WebDriver;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shareable side of the course: {@code ./jcn site} renders every committed notebook to a
 * book (Sphinx, myst-nb, sphinx-book-theme) in {@code target/site/} that works offline.
 *
 * <p>The site is built once, by the README's command, and then checked three ways: its files
 * (a page per notebook, a sidebar in course order, previous/next, the notebook to download, a
 * "run it yourself" box, nothing loaded from outside the site), a scratch build (a new
 * notebook joins the sidebar by itself; a page that loads from outside fails the build), and
 * the book in headless chromium (sidebar, tables and charts visible, English and Chinese search
 * over http and from file://, every request inside the site).
 */
class SiteTest {

    static final Path SITE = Harness.root().resolve("target/site");
    static final Path SCREENSHOTS = Harness.notebooksDir().resolve("target/site-test");
    static final Path BOOK_PYTHON = Path.of(System.getenv().getOrDefault("JCN_BOOK_VENV",
            Harness.root().resolve(".venv-book").toString())).resolve("bin/python");
    static final Duration WAIT = Duration.ofSeconds(30);

    /** Tags whose src/href/data loads something, and CSS url(...) / @import. */
    static final Pattern LOADS = Pattern.compile(
            "<(script|img|link|iframe|source|video|audio|embed|object|input)\\b[^>]*?\\b(src|href|data|srcset)\\s*=\\s*[\"']([^\"']*)[\"']",
            Pattern.CASE_INSENSITIVE);
    static final Pattern CSS_URL = Pattern.compile("url\\(\\s*[\"']?([^\"')]+)|@import\\s+[\"']([^\"']+)",
            Pattern.CASE_INSENSITIVE);
    static final Pattern HREF = Pattern.compile("<a\\b[^>]*\\bhref=\"([^\"#?]*)[^\"]*\"", Pattern.CASE_INSENSITIVE);
    static final Pattern PAGE = Pattern.compile("(\\d\\d-[A-Za-z0-9_.-]+\\.html)");

    static String buildLog;

    @BeforeAll
    static void buildTheSiteWithTheReadmeCommand() throws Exception {
        long started = System.nanoTime();
        Files.createDirectories(SCREENSHOTS);
        try (Stream<Path> old = Files.list(SCREENSHOTS)) { // so no picture from an earlier run passes for this one's
            for (Path png : old.filter(p -> p.toString().endsWith(".png")).toList()) {
                Files.delete(png);
            }
        }
        Path log = SCREENSHOTS.resolve("jcn-site.log");
        Process process = new ProcessBuilder(Harness.root().resolve("jcn").toString(), "site")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        // A fresh clone also creates the book's venv first (pip, about half a minute here).
        if (!process.waitFor(10, TimeUnit.MINUTES)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            throw new AssertionError("./jcn site did not finish within 10 minutes");
        }
        buildLog = Files.readString(log);
        assertEquals(0, process.exitValue(), "./jcn site failed:\n" + buildLog);
        long bytes;
        try (Stream<Path> files = Files.walk(SITE)) {
            bytes = files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
        System.out.printf("site: ./jcn site took %.1f s; %s holds %.1f MB%n", (System.nanoTime() - started) / 1e9,
                SITE, bytes / 1e6);
    }

    static String pageOf(Path notebook) {
        return notebook.getFileName().toString().replace(".ipynb", ".html");
    }

    /** The pages in course order, 00-index.html first: what the sidebar must list. */
    static List<String> coursePages() throws IOException {
        return Harness.courseNotebooks().stream().map(SiteTest::pageOf).toList();
    }

    static List<Path> htmlAndCss() throws IOException {
        try (Stream<Path> files = Files.walk(SITE)) {
            return files.filter(p -> p.toString().endsWith(".html") || p.toString().endsWith(".css")).sorted().toList();
        }
    }

    static boolean outside(String url) {
        String u = url.trim().replace("&amp;", "&");
        if (u.isEmpty() || u.startsWith("data:") || u.startsWith("#")) {
            return false;
        }
        return u.startsWith("//") || u.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*");
    }

    /** Every URL in the page (or style sheet) that the browser would fetch from outside the site. */
    static List<String> outsideLoads(String page) {
        List<String> found = new ArrayList<>();
        Matcher tags = LOADS.matcher(page);
        while (tags.find()) {
            if (outside(tags.group(3))) {
                found.add("<" + tags.group(1) + " " + tags.group(2) + "=" + tags.group(3) + ">");
            }
        }
        Matcher css = CSS_URL.matcher(page);
        while (css.find()) {
            String url = css.group(1) != null ? css.group(1) : css.group(2);
            if (outside(url)) {
                found.add("css " + url);
            }
        }
        return found;
    }

    /** The pages the sidebar (the theme's main navigation) of {@code name} links, in order. */
    static List<String> sidebar(String name, String page) {
        int start = page.indexOf("bd-docs-nav");
        assertTrue(start >= 0, name + " has no sidebar navigation");
        Matcher links = Pattern.compile("href=\"([^\"#]*)(#[^\"]*)?\"").matcher(page.substring(start, page.indexOf("</nav>", start)));
        List<String> hrefs = new ArrayList<>();
        while (links.find()) {
            // The entry of the page itself links to "#" (the home page's, at least).
            hrefs.add(links.group(1).isEmpty() ? name : links.group(1));
        }
        return hrefs;
    }

    /** The href of the first link with the class {@code cls}, or null when the page has none. */
    static String linkWithClass(String page, String cls) {
        Matcher link = Pattern.compile("<a\\b[^>]*\\bclass=\"" + cls + "\"[^>]*>").matcher(page);
        if (!link.find()) {
            return null;
        }
        Matcher href = Pattern.compile("\\bhref=\"([^\"]*)\"").matcher(link.group());
        return href.find() ? href.group(1) : "(no href)";
    }

    @Test
    void everyNotebookHasAPageAndIndexHtmlOpensTheHome() throws IOException {
        for (String page : coursePages()) {
            assertTrue(Files.isRegularFile(SITE.resolve(page)), "no page " + page);
        }
        assertTrue(Files.readString(SITE.resolve("index.html")).contains("url=00-index.html"),
                "index.html does not send the reader to 00-index.html");
        assertTrue(buildLog.contains("site: " + coursePages().size() + " notebook pages"), buildLog);
    }

    @Test
    void theSidebarListsEveryNotebookInCourseOrderOnEveryPage() throws IOException {
        for (String page : coursePages()) {
            assertEquals(coursePages(), sidebar(page, Files.readString(SITE.resolve(page))), page + ": the sidebar");
        }
    }

    @Test
    void pagesLinkToPreviousAndNextAndEveryLinkLeadsToAFile() throws IOException {
        List<String> course = coursePages();
        for (int i = 0; i < course.size(); i++) {
            String page = Files.readString(SITE.resolve(course.get(i)));
            assertEquals(i == 0 ? null : course.get(i - 1), linkWithClass(page, "left-prev"), course.get(i) + ": previous");
            assertEquals(i + 1 < course.size() ? course.get(i + 1) : null, linkWithClass(page, "right-next"),
                    course.get(i) + ": next");
        }
        for (Path page : htmlAndCss()) {
            if (!page.toString().endsWith(".html")) {
                continue;
            }
            Matcher links = HREF.matcher(Files.readString(page));
            while (links.find()) {
                String target = links.group(1);
                if (!target.isEmpty() && !outside(target)) {
                    assertTrue(Files.exists(page.getParent().resolve(target)),
                            SITE.relativize(page) + " links to a missing file " + target);
                }
            }
        }
    }

    /** Notebook links in markdown ([Next](06-thread-local.ipynb)) and program links (python/NN-name.py) work. */
    @Test
    void linksBetweenNotebooksAndToProgramsReachTheirTargets() throws IOException {
        String page = Files.readString(SITE.resolve("01-processes-and-threads.html"));
        assertTrue(page.contains("href=\"02-threads.html\""), "01 does not link to the page of 02-threads.ipynb");
        assertFalse(page.contains("href=\"02-threads.ipynb"), "a notebook link was left pointing at the .ipynb");
        Matcher program = Pattern.compile("href=\"([^\"]*/01-memory\\.py)\"").matcher(page);
        assertTrue(program.find(), "01 does not link python/01-memory.py");
        assertArrayEquals(Files.readAllBytes(Harness.notebooksDir().resolve("python/01-memory.py")),
                Files.readAllBytes(SITE.resolve(program.group(1))), "the linked program is not python/01-memory.py");
    }

    @Test
    void everyPageOffersItsNotebookAndSaysHowToRunIt() throws IOException {
        for (Path notebook : Harness.courseNotebooks()) {
            String name = notebook.getFileName().toString();
            String page = Files.readString(SITE.resolve(pageOf(notebook)));
            assertTrue(page.contains("href=\"_sources/" + name + "\""), pageOf(notebook) + " has no download link to " + name);
            assertArrayEquals(Files.readAllBytes(notebook), Files.readAllBytes(SITE.resolve("_sources/" + name)),
                    "the downloadable " + name + " is not the committed notebook");
            int box = page.indexOf("jcn-run-it");
            assertTrue(box >= 0, pageOf(notebook) + " has no 'Run it yourself' box");
            String text = page.substring(box, page.indexOf("</div>", box)).replaceAll("<[^>]+>", "");
            assertTrue(text.contains("./jcn lab") && text.contains(name), pageOf(notebook) + ": the box says " + text);
        }
    }

    @Test
    void noPageOrStyleSheetLoadsAnythingFromOutsideTheSite() throws IOException {
        List<Path> files = htmlAndCss();
        assertTrue(files.size() > coursePages().size(), "the site has too few pages: " + files);
        for (Path file : files) {
            List<String> loads = outsideLoads(Files.readString(file, StandardCharsets.UTF_8));
            assertTrue(loads.isEmpty(), SITE.relativize(file) + " loads from outside the site: " + loads);
        }
    }

    @Test
    void theCheckCatchesACdnScript() {
        // The check above must not pass by reading nothing: JupyterLab's stock template would fail it.
        String stock = "<script src=\"https://cdnjs.cloudflare.com/ajax/libs/require.js/2.1.10/require.min.js\"></script>"
                + "<link rel=\"stylesheet\" href=\"//fonts.example.org/x.css\"><style>@import 'https://x.org/y.css';</style>"
                + "<img src='data:image/png;base64,AAAA'>";
        assertEquals(3, outsideLoads(stock).size(), outsideLoads(stock).toString());
    }

    /**
     * A scratch course of four notebooks: a new 13-... joins the sidebar and the previous/next
     * chain with no list to edit; then a markdown cell that loads a CDN script fails the build.
     */
    @Test
    void aNewNotebookJoinsTheBookAndAnOutsideLoadFailsTheBuild(@TempDir Path scratch) throws Exception {
        Path source = Files.createDirectories(scratch.resolve("notebooks"));
        for (String name : List.of("00-index.ipynb", "11-process-locks.ipynb", "12-async.ipynb")) {
            Files.copy(Harness.notebooksDir().resolve(name), source.resolve(name));
        }
        String beyond = Files.readString(Harness.notebooksDir().resolve("12-async.ipynb"))
                .replaceFirst("# 12 · [^\"\\\\]*", "# 13 · Beyond one machine");
        Files.writeString(source.resolve("13-beyond-one-machine.ipynb"), beyond);
        Path out = scratch.resolve("site");
        String log = buildBook(source, out, 0);
        List<String> order = List.of("00-index.html", "11-process-locks.html", "12-async.html", "13-beyond-one-machine.html");
        assertEquals(order, sidebar("00-index.html", Files.readString(out.resolve("00-index.html"))), "the scratch sidebar\n" + log);
        assertEquals("13-beyond-one-machine.html", linkWithClass(Files.readString(out.resolve("12-async.html")), "right-next"));

        // One markdown cell with a CDN script (raw HTML passes through MyST): offline means offline.
        Files.writeString(source.resolve("13-beyond-one-machine.ipynb"), beyond.replaceFirst("\"cells\": \\[",
                "\"cells\": [{\"cell_type\": \"markdown\", \"id\": \"cdn\", \"metadata\": {}, \"source\": "
                        + "\"<script src=\\\\\"https://cdn.example.org/x.js\\\\\"></script>\"},"));
        log = buildBook(source, out, 1);
        assertTrue(log.contains("offline means offline") && log.contains("13-beyond-one-machine.html")
                && log.contains("https://cdn.example.org/x.js"), "the refusal does not say what and where:\n" + log);
    }

    /** Runs build_book.py on a scratch notebooks folder; returns its output after checking the exit status. */
    static String buildBook(Path source, Path out, int expectedExit) throws Exception {
        Process process = new ProcessBuilder(BOOK_PYTHON.toString(),
                Harness.notebooksDir().resolve("harness/build_book.py").toString(),
                "--source", source.toString(), "--out", out.toString()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(3, TimeUnit.MINUTES), "build_book.py did not finish");
        if (expectedExit == 0) {
            assertEquals(0, process.exitValue(), output);
        } else {
            assertNotEquals(0, process.exitValue(), "the build should have failed:\n" + output);
        }
        return output;
    }

    /** Committed notebooks carry their images: outputs inline, and no markdown image from the web. */
    @Test
    void committedNotebooksEmbedTheirImages() throws IOException {
        Pattern markdownImage = Pattern.compile("!\\[[^\\]]*\\]\\(([^)\\s]+)|<img[^>]*src=[\"']([^\"']+)");
        for (Path notebook : Harness.courseNotebooks()) {
            Map<String, Object> nb = BrowserTest.readNotebook(notebook);
            assertTrue(nb != null, notebook + " is not valid JSON");
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> cells = (List<Map<String, Object>>) nb.get("cells");
            for (Map<String, Object> cell : cells) {
                if ("markdown".equals(cell.get("cell_type"))) {
                    Matcher m = markdownImage.matcher(BrowserTest.text(cell.get("source")));
                    while (m.find()) {
                        String src = m.group(1) != null ? m.group(1) : m.group(2);
                        assertTrue(src.startsWith("data:") || src.startsWith("attachment:"),
                                notebook.getFileName() + " shows an image that is not inside the notebook: " + src);
                    }
                }
            }
        }
    }

    @Test
    void inChromiumTheBookShowsSidebarTablesChartsAndSearchWithNothingFromOutside() throws Exception {
        HttpServer server = SimpleFileServer.createFileServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                SITE.toAbsolutePath(), SimpleFileServer.OutputLevel.NONE);
        server.start();
        String origin = "http://127.0.0.1:" + server.getAddress().getPort();
        // Any host but the local one fails to resolve: a page that reached out would show it.
        try (Chromium browser = new Chromium(SCREENSHOTS.resolve("profile"), SCREENSHOTS,
                "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1")) {
            browser.driver.get("about:blank");
            browser.requestedUrls(); // the browser's own start page (chrome:// resources) is not the site's doing
            List<String> requested = new ArrayList<>();

            // index.html sends the reader home; the sidebar lists the course in order.
            browser.driver.get(origin + "/index.html");
            // The refresh commits the new URL while its document is still loading: wait for both.
            until(browser, d -> d.getCurrentUrl().endsWith("/00-index.html")
                    && "complete".equals(((JavascriptExecutor) d).executeScript("return document.readyState")));
            List<WebElement> side = browser.driver.findElements(By.cssSelector("nav.bd-docs-nav a.reference.internal"));
            assertEquals(coursePages(), side.stream().map(a -> pageIn(a.getAttribute("href"))).toList(), "the sidebar in chromium");
            for (WebElement link : side) {
                assertTrue(link.isDisplayed() && !link.getText().isBlank(), "a sidebar entry is not visible: " + link.getAttribute("href"));
            }
            browser.screenshot("home-sidebar");
            requested.addAll(browser.requestedUrls());

            for (String page : List.of("05-thread-pools.html", "01-processes-and-threads.html")) {
                tablesAndChartsAreVisible(browser, origin, page);
                requested.addAll(browser.requestedUrls());
            }

            // The search box: type, press Enter, read the result list.
            Set<String> english = search(browser, origin + "/05-thread-pools.html", "ProcessPool");
            browser.screenshot("search-ProcessPool");
            assertTrue(english.contains("09-process-pools.html"), "ProcessPool did not find 09: " + english);
            assertFalse(english.contains("02-threads.html"), "ProcessPool found 02-threads, which never says it: " + english);
            Set<String> chinese = search(browser, origin + "/02-threads.html", "进程池");
            browser.screenshot("search-chinese");
            assertTrue(chinese.contains("09-process-pools.html") && chinese.contains("00-index.html"),
                    "进程池 (process pool) did not find 09 and the index: " + chinese);
            assertFalse(chinese.contains("05-thread-pools.html"), "进程池 found 05 (线程池, thread pool): " + chinese);
            Set<String> threads = search(browser, origin + "/00-index.html", "线程");
            assertTrue(threads.containsAll(List.of("02-threads.html", "03-locks.html", "05-thread-pools.html")),
                    "线程 (thread) did not find the thread notebooks: " + threads);
            requested.addAll(browser.requestedUrls());

            @SuppressWarnings("unchecked")
            List<String> fetched = (List<String>) ((JavascriptExecutor) browser.driver).executeScript(
                    "return performance.getEntriesByType('resource').map(e => e.name);");
            List<String> foreign = Stream.concat(fetched.stream(), requested.stream())
                    .filter(u -> !u.startsWith(origin + "/") && !u.startsWith("data:") && !u.startsWith("chrome://"))
                    .distinct().toList();
            assertTrue(foreign.isEmpty(), "the book fetched from outside the site: " + foreign);
            assertTrue(requested.contains(origin + "/searchindex.js"), "the network log missed the search index: " + requested);
            System.out.printf("site in chromium over http: %d requests, all to the site%n", requested.size());

            // The same search from file://, as a reader who opens target/site/index.html gets it.
            String fileSite = SITE.toAbsolutePath().toUri().toString();
            browser.driver.get(fileSite + "search.html?q=" + URLEncoder.encode("进程池", StandardCharsets.UTF_8));
            Set<String> offline = results(browser);
            assertTrue(offline.contains("09-process-pools.html"), "from file://, 进程池 did not find 09: " + offline);
            browser.screenshot("search-file-url");
            List<String> fileRequests = browser.requestedUrls().stream()
                    .filter(u -> !u.startsWith(fileSite) && !u.startsWith("data:") && !u.startsWith("chrome://")).toList();
            assertTrue(fileRequests.isEmpty(), "from file://, the book fetched from outside the site: " + fileRequests);

            // The check must see an outside load when there is one: a probe page with two.
            Path probeDir = SCREENSHOTS.resolve("probe");
            Files.createDirectories(probeDir);
            Files.writeString(probeDir.resolve("probe.html"), "<html><body><img src=\"https://cdn.example.org/a.png\">"
                    + "<script src=\"//cdn.example.com/x.js\"></script></body></html>");
            HttpServer probe = SimpleFileServer.createFileServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                    probeDir.toAbsolutePath(), SimpleFileServer.OutputLevel.NONE);
            probe.start();
            try {
                browser.driver.get("http://127.0.0.1:" + probe.getAddress().getPort() + "/probe.html");
                List<String> probed = browser.requestedUrls();
                assertTrue(probed.contains("https://cdn.example.org/a.png") && probed.contains("http://cdn.example.com/x.js"),
                        "the network log does not show a probe page's outside loads: " + probed);
            } finally {
                probe.stop(0);
            }
        } finally {
            server.stop(0);
        }
    }

    private static void tablesAndChartsAreVisible(Chromium browser, String origin, String page) throws Exception {
        browser.driver.get(origin + "/" + page);
        // What the committed notebook shows: its HTML tables and image outputs.
        BrowserTest.Committed committed = BrowserTest.Committed.read(
                Harness.notebooksDir().resolve(page.replace(".html", ".ipynb")));
        List<WebElement> tables = browser.driver.findElements(By.cssSelector(".cell_output .text_html table"));
        assertEquals(committed.tables(), tables.size(), page + ": tables in the page's outputs");
        assertTrue(tables.size() > 0, page + " shows no table");
        for (WebElement table : tables) {
            scrollTo(browser, table);
            assertTrue(table.isDisplayed() && table.getSize().getHeight() > 20 && table.getSize().getWidth() > 50,
                    page + ": a table is not visible (" + table.getSize() + ")");
        }
        List<WebElement> charts = browser.driver.findElements(By.cssSelector(".cell_output img, .cell_output svg"));
        assertEquals(committed.images(), charts.size(), page + ": charts in the page");
        for (WebElement chart : charts) {
            scrollTo(browser, chart);
            Object loaded = ((JavascriptExecutor) browser.driver).executeScript(
                    "const e = arguments[0]; return e.tagName.toLowerCase() === 'img' ? e.complete && e.naturalWidth > 0 : true;",
                    chart);
            assertEquals(Boolean.TRUE, loaded, page + ": a chart image did not load");
            assertTrue(chart.isDisplayed() && chart.getSize().getHeight() > 50 && chart.getSize().getWidth() > 100,
                    page + ": a chart is not visible (" + chart.getSize() + ")");
        }
        scrollTo(browser, charts.isEmpty() ? tables.getFirst() : charts.getFirst());
        browser.screenshot(page.replace(".html", ""));
        System.out.printf("site page %s: %d tables, %d charts visible%n", page, tables.size(), charts.size());
    }

    /** Opens page, types query into the theme's search box and presses Enter; returns the pages found. */
    private static Set<String> search(Chromium browser, String page, String query) {
        browser.driver.get(page);
        WebElement button = browser.driver.findElements(By.cssSelector("button.search-button-field")).stream()
                .filter(WebElement::isDisplayed).findFirst()
                .orElseThrow(() -> new AssertionError(page + ": no visible search button"));
        button.click();
        WebElement box = until(browser, d -> d.findElements(
                By.cssSelector("#pst-search-dialog input[name='q']")).stream().filter(WebElement::isDisplayed).findFirst().orElse(null));
        box.sendKeys(query, Keys.ENTER);
        until(browser, d -> d.getCurrentUrl().contains("search.html"));
        return results(browser);
    }

    /** Waits (bounded) until Sphinx's search says it finished, then returns the result pages. */
    private static Set<String> results(Chromium browser) {
        until(browser, d -> {
            List<WebElement> summary = d.findElements(By.cssSelector("#search-results .search-summary"));
            String text = summary.isEmpty() ? "" : summary.getFirst().getText();
            return text.contains("Search finished") || text.contains("did not match");
        });
        Set<String> pages = new LinkedHashSet<>();
        for (WebElement link : browser.driver.findElements(By.cssSelector("#search-results ul.search li > a"))) {
            pages.add(pageIn(link.getAttribute("href")));
        }
        return pages;
    }

    /** The NN-name.html a URL points at (highlight query and anchor dropped). */
    private static String pageIn(String url) {
        Matcher m = PAGE.matcher(url);
        return m.find() ? m.group(1) : url;
    }

    /**
     * Polls condition every 100 ms until it gives something other than null or false; fails
     * after WAIT (every wait in this test is bounded), naming what was awaited.
     */
    private static <T> T until(Chromium browser, Function<WebDriver, T> condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        RuntimeException last = null;
        while (System.nanoTime() < deadline) {
            try {
                T value = condition.apply(browser.driver);
                if (value != null && !Boolean.FALSE.equals(value)) {
                    return value;
                }
            } catch (RuntimeException e) { // an element replaced while we read it: read again
                last = e;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting", e);
            }
        }
        throw new AssertionError("waited " + WAIT.toSeconds() + " s in vain at " + browser.driver.getCurrentUrl()
                + (last == null ? "" : " (last error: " + last + ")"));
    }

    private static void scrollTo(Chromium browser, WebElement element) {
        ((JavascriptExecutor) browser.driver).executeScript("arguments[0].scrollIntoView({block: 'center'});", element);
    }

}
