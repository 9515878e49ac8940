package jcn.notebooks;

import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A headless Debian {@code chromium} driven through Debian's {@code chromedriver}.
 *
 * <p>Both executables are named explicitly, so Selenium Manager (which would otherwise look
 * for, and download, a driver and a browser) is never asked; the surefire configuration also
 * sets {@code SE_OFFLINE=true} in case it were. The flags keep the browser from calling home on
 * a closed network, and every browser gets a fresh profile directory.
 */
final class Chromium implements AutoCloseable {

    static final Path BROWSER = Path.of(System.getProperty("jcn.chromium", "/usr/bin/chromium"));
    static final Path DRIVER = Path.of(System.getProperty("jcn.chromedriver", "/usr/bin/chromedriver"));

    static final List<String> QUIET_FLAGS = List.of(
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--no-first-run", "--disable-quic", "--disable-extensions", "--disable-default-apps",
            "--no-default-browser-check", "--window-size=1400,1000", "--lang=en-US");

    static {
        // Selenium warns that it has no DevTools classes for this chromium version; none are used.
        java.util.logging.Logger.getLogger("org.openqa.selenium").setLevel(java.util.logging.Level.SEVERE);
    }

    final ChromeDriver driver;
    private final Path screenshots;
    private int shot;

    /**
     * Starts a browser.
     *
     * @param profile     a directory for the fresh profile (deleted first if it exists)
     * @param screenshots where {@link #screenshot} writes its PNGs
     * @param extraFlags  more command-line flags for chromium
     */
    Chromium(Path profile, Path screenshots, String... extraFlags) throws IOException {
        for (Path exe : List.of(BROWSER, DRIVER)) {
            if (!Files.isExecutable(exe)) {
                throw new IllegalStateException(exe + " is missing: install Debian's chromium and chromium-driver "
                        + "(apt-get install chromium chromium-driver; .ci/run does this).");
            }
        }
        Files.createDirectories(screenshots);
        this.screenshots = screenshots;
        deleteTree(profile);
        Files.createDirectories(profile);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(BROWSER.toFile());
        options.addArguments(QUIET_FLAGS);
        options.addArguments("--user-data-dir=" + profile);
        options.addArguments(extraFlags);
        // The DevTools network events, read back by requestedUrls().
        options.setCapability("goog:loggingPrefs", Map.of("performance", "ALL"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(DRIVER.toFile())
                .usingAnyFreePort()
                .withLogFile(profile.resolveSibling(profile.getFileName() + "-chromedriver.log").toFile())
                .build();
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60));
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
        driver.manage().window().setSize(new Dimension(1400, 1000));
    }

    /** Saves what the page shows now as {@code NN-step.png}; returns the file. */
    Path screenshot(String step) {
        Path file = screenshots.resolve(String.format("%02d-%s.png", ++shot, step));
        try {
            Files.write(file, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
        } catch (IOException | RuntimeException e) {
            System.err.println("could not save screenshot " + file + ": " + e);
        }
        return file;
    }

    private static final Pattern REQUEST_URL = Pattern.compile(
            "\"method\":\"Network\\.requestWillBeSent\".*?\"request\":\\{.*?\"url\":\"([^\"]*)\"");

    /**
     * Every URL the browser asked the network for since the last call, failed requests
     * included (from chromedriver's performance log of DevTools events).
     */
    List<String> requestedUrls() {
        List<String> urls = new ArrayList<>();
        for (var entry : driver.manage().logs().get("performance")) {
            Matcher m = REQUEST_URL.matcher(entry.getMessage());
            if (m.find()) {
                urls.add(m.group(1));
            }
        }
        return urls;
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } catch (RuntimeException e) {
            System.err.println("chromium did not quit cleanly: " + e);
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted((a, b) -> b.compareTo(a)).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
