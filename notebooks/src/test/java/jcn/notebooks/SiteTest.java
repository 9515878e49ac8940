package jcn.notebooks;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.SimpleFileServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shareable side of the course: {@code ./jcn site} renders every committed notebook to a
 * static site in {@code target/site/} that works offline, and the committed notebooks carry
 * their images inside them.
 *
 * <p>The site is built once, by the README's command, and then checked three ways: its files
 * (nothing loaded from outside the site; every notebook has a page with previous/next links
 * that lead somewhere), its pages in headless chromium served from a local address (tables
 * and charts visible, every resource the browser fetched came from the site), and the
 * notebooks themselves (images inline, no image fetched from the web).
 */
class SiteTest {

    static final Path SITE = Harness.root().resolve("target/site");
    static final Path SCREENSHOTS = Harness.notebooksDir().resolve("target/site-test");

    /** Tags whose src/href/data loads something, and CSS url(...) / @import. */
    static final Pattern LOADS = Pattern.compile(
            "<(script|img|link|iframe|source|video|audio|embed|object|input)\\b[^>]*?\\b(src|href|data|srcset)\\s*=\\s*[\"']([^\"']*)[\"']",
            Pattern.CASE_INSENSITIVE);
    static final Pattern CSS_URL = Pattern.compile("url\\(\\s*[\"']?([^\"')]+)|@import\\s+[\"']([^\"']+)",
            Pattern.CASE_INSENSITIVE);
    static final Pattern HREF = Pattern.compile("<a\\b[^>]*\\bhref=\"([^\"#]*)(#[^\"]*)?\"", Pattern.CASE_INSENSITIVE);

    static String buildLog;

    @BeforeAll
    static void buildTheSiteWithTheReadmeCommand() throws Exception {
        long started = System.nanoTime();
        Files.createDirectories(SCREENSHOTS);
        Path log = SCREENSHOTS.resolve("jcn-site.log");
        Process process = new ProcessBuilder(Harness.root().resolve("jcn").toString(), "site")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            throw new AssertionError("./jcn site did not finish within 5 minutes");
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

    static List<Path> pages() throws IOException {
        try (Stream<Path> files = Files.list(SITE)) {
            return files.filter(p -> p.toString().endsWith(".html")).sorted().toList();
        }
    }

    static String pageOf(Path notebook) {
        String name = notebook.getFileName().toString();
        return name.equals("00-index.ipynb") ? "index.html" : name.replace(".ipynb", ".html");
    }

    static boolean outside(String url) {
        String u = url.trim().replace("&amp;", "&");
        if (u.isEmpty() || u.startsWith("data:") || u.startsWith("#")) {
            return false;
        }
        return u.startsWith("//") || u.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*");
    }

    /** Every URL in the page that the browser would fetch from outside the site. */
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

    @Test
    void everyNotebookHasAPageAndTheIndexComesFirst() throws IOException {
        List<Path> notebooks = Harness.courseNotebooks();
        for (Path notebook : notebooks) {
            assertTrue(Files.isRegularFile(SITE.resolve(pageOf(notebook))), "no page for " + notebook.getFileName());
        }
        String index = Files.readString(SITE.resolve("index.html"));
        for (Path notebook : notebooks) {
            if (!pageOf(notebook).equals("index.html")) {
                assertTrue(index.contains("href=\"" + pageOf(notebook) + "\""),
                        "index.html does not link to " + pageOf(notebook));
            }
        }
        if (Files.exists(Harness.notebooksDir().resolve("00-index.ipynb"))) {
            assertTrue(buildLog.contains("index from 00-index.ipynb"), "00-index exists but the index was generated:\n" + buildLog);
        }
    }

    @Test
    void withoutAnIndexNotebookTheIndexIsTheListOfNotebooks(@TempDir Path out) throws Exception {
        List<String> command = new ArrayList<>(List.of(Harness.root().resolve(".venv/bin/python").toString(),
                Harness.notebooksDir().resolve("harness/build_site.py").toString(), "--out", out.toString()));
        List<Path> course = Harness.courseNotebooks().stream()
                .filter(p -> !p.getFileName().toString().equals("00-index.ipynb")).limit(3).toList();
        course.forEach(p -> command.add(p.toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(2, TimeUnit.MINUTES), "build_site.py did not finish");
        assertEquals(0, process.exitValue(), output);
        assertTrue(output.contains("index from the notebook list"), output);
        String index = Files.readString(out.resolve("index.html"));
        for (Path notebook : course) {
            assertTrue(index.contains("href=\"" + pageOf(notebook) + "\""), "the generated index lacks " + pageOf(notebook));
        }
        String first = Files.readString(out.resolve(pageOf(course.getFirst())));
        assertFalse(first.contains("href=\"00-index.ipynb"), "a link to 00-index.ipynb was not pointed at index.html");
    }

    @Test
    void pagesLinkToPreviousAndNextAndEveryLinkLeadsToAPage() throws IOException {
        List<String> course = Harness.courseNotebooks().stream().map(SiteTest::pageOf)
                .filter(p -> !p.equals("index.html")).toList();
        for (int i = 0; i < course.size(); i++) {
            String page = Files.readString(SITE.resolve(course.get(i)));
            assertEquals(List.of("index.html", "index.html"), navLinks(page, "jcn-index"), course.get(i) + ": Index links (top, bottom)");
            String previous = i == 0 ? "index.html" : course.get(i - 1);
            assertEquals(List.of(previous, previous), navLinks(page, "jcn-previous"), course.get(i) + ": Previous links (top, bottom)");
            List<String> next = i + 1 < course.size() ? List.of(course.get(i + 1), course.get(i + 1)) : List.of();
            assertEquals(next, navLinks(page, "jcn-next"), course.get(i) + ": Next links (top, bottom)");
        }
        for (Path page : pages()) {
            Matcher links = HREF.matcher(Files.readString(page));
            while (links.find()) {
                String target = links.group(1);
                if (target.endsWith(".html") && !outside(target)) {
                    assertTrue(Files.exists(SITE.resolve(target)), page.getFileName() + " links to a missing page " + target);
                }
            }
        }
    }

    /** The hrefs of the navigation links with the class {@code cls}, in page order. */
    static List<String> navLinks(String page, String cls) {
        List<String> hrefs = new ArrayList<>();
        Matcher links = Pattern.compile("<a\\b[^>]*\\bclass=\"" + cls + "\"[^>]*>").matcher(page);
        while (links.find()) {
            Matcher href = Pattern.compile("\\bhref=\"([^\"]*)\"").matcher(links.group());
            hrefs.add(href.find() ? href.group(1) : "(no href)");
        }
        return hrefs;
    }

    @Test
    void noPageLoadsAnythingFromOutsideTheSite() throws IOException {
        List<Path> pages = pages();
        assertFalse(pages.isEmpty(), "the site has no pages");
        for (Path page : pages) {
            List<String> loads = outsideLoads(Files.readString(page, StandardCharsets.UTF_8));
            assertTrue(loads.isEmpty(), page.getFileName() + " loads from outside the site: " + loads);
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
    void twoPagesShowTheirTablesAndChartsInABrowserWithNothingFromOutside() throws Exception {
        List<String> wanted = List.of("05-thread-pools.html", "01-processes-and-threads.html");
        List<String> chosen = new ArrayList<>(wanted.stream().filter(p -> Files.exists(SITE.resolve(p))).toList());
        for (Path page : pages()) { // until those exist: any pages with a table
            if (chosen.size() < 2 && !chosen.contains(page.getFileName().toString())
                    && Files.readString(page).contains("jp-OutputArea-output") && Files.readString(page).contains("<table")) {
                chosen.add(page.getFileName().toString());
            }
        }
        assertEquals(2, chosen.size(), "the site has fewer than two pages with a table: " + chosen);

        HttpServer server = SimpleFileServer.createFileServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                SITE.toAbsolutePath(), SimpleFileServer.OutputLevel.NONE);
        server.start();
        String origin = "http://127.0.0.1:" + server.getAddress().getPort();
        // Any host but the local one fails to resolve: a page that reached out would show it.
        try (Chromium browser = new Chromium(SCREENSHOTS.resolve("profile"), SCREENSHOTS,
                "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1")) {
            browser.driver.get("about:blank");
            browser.requestedUrls(); // the browser's own start page (chrome:// resources) is not the site's doing
            for (String page : chosen) {
                browser.driver.get(origin + "/" + page);
                // What the committed notebook shows: its HTML tables and image outputs.
                BrowserTest.Committed committed = BrowserTest.Committed.read(Harness.notebooksDir().resolve(
                        page.equals("index.html") ? "00-index.ipynb" : page.replace(".html", ".ipynb")));
                int tablesInFile = committed.tables();
                int imagesInFile = committed.images();

                List<WebElement> tables = browser.driver.findElements(By.cssSelector(".jp-OutputArea-output table"));
                assertEquals(tablesInFile, tables.size(), page + ": tables in the page's outputs");
                assertTrue(tables.size() > 0, page + " shows no table");
                for (WebElement table : tables) {
                    scrollTo(browser, table);
                    assertTrue(table.isDisplayed() && table.getSize().getHeight() > 20 && table.getSize().getWidth() > 50,
                            page + ": a table is not visible (" + table.getSize() + ")");
                }
                List<WebElement> charts = browser.driver.findElements(By.cssSelector(
                        ".jp-RenderedImage img, .jp-RenderedSVG img, .jp-RenderedSVG svg"));
                assertEquals(imagesInFile, charts.size(), page + ": charts in the page");
                for (WebElement chart : charts) {
                    scrollTo(browser, chart);
                    Object loaded = ((JavascriptExecutor) browser.driver).executeScript(
                            "const e = arguments[0]; return e.tagName.toLowerCase() === 'img' ? e.complete && e.naturalWidth > 0 : true;",
                            chart);
                    assertEquals(Boolean.TRUE, loaded, page + ": a chart image did not load");
                    assertTrue(chart.isDisplayed() && chart.getSize().getHeight() > 50 && chart.getSize().getWidth() > 100,
                            page + ": a chart is not visible (" + chart.getSize() + ")");
                }
                if (!tables.isEmpty()) {
                    scrollTo(browser, charts.isEmpty() ? tables.getFirst() : charts.getFirst());
                }
                browser.screenshot(page.replace(".html", ""));
                @SuppressWarnings("unchecked")
                List<String> fetched = (List<String>) ((JavascriptExecutor) browser.driver).executeScript(
                        "return performance.getEntriesByType('resource').map(e => e.name);");
                List<String> requested = browser.requestedUrls();
                List<String> foreign = Stream.concat(fetched.stream(), requested.stream())
                        .filter(u -> !u.startsWith(origin + "/") && !u.startsWith("data:") && !u.startsWith("chrome://"))
                        .distinct().toList();
                assertTrue(foreign.isEmpty(), page + " fetched from outside the site: " + foreign);
                assertTrue(requested.contains(origin + "/" + page), "the network log missed the page itself: " + requested);
                System.out.printf("site page %s: %d tables, %d charts visible; %d requests, all to the site%n",
                        page, tables.size(), charts.size(), requested.size());
            }
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
                List<String> requested = browser.requestedUrls();
                assertTrue(requested.contains("https://cdn.example.org/a.png") && requested.contains("http://cdn.example.com/x.js"),
                        "the network log does not show a probe page's outside loads: " + requested);
            } finally {
                probe.stop(0);
            }
        } finally {
            server.stop(0);
        }
    }

    private static void scrollTo(Chromium browser, WebElement element) {
        ((JavascriptExecutor) browser.driver).executeScript("arguments[0].scrollIntoView({block: 'center'});", element);
    }

}
