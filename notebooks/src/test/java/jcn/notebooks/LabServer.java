package jcn.notebooks;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * JupyterLab started the way a reader starts it, {@code ./jcn lab}, on a free port with a
 * random token, serving a scratch copy of one notebook so that saving in the browser never
 * writes over a committed file.
 *
 * <p>The scratch folder sits in {@code notebooks/target/browser/lab/notebooks/} beside a
 * {@code lib} link to the project's {@code lib/}, so the notebook's first cell
 * ({@code %classpath ../lib/target/jcn-lib.jar}) finds the helper jar as it does in
 * {@code notebooks/}. JupyterLab's settings and workspaces live in the scratch folder too: a
 * reader's own settings cannot change what the test sees. {@link #close} stops the server
 * (it shuts its kernels down) and then ends anything of its process tree still alive.
 */
final class LabServer implements AutoCloseable {

    final int port;
    final String token;
    final Path notebookDir;
    final Path log;
    final Process process;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    LabServer(Path scratch, Path notebook, Duration startLimit) throws IOException, InterruptedException {
        Chromium.deleteTree(scratch);
        notebookDir = scratch.resolve("notebooks");
        Files.createDirectories(notebookDir);
        Files.copy(notebook, notebookDir.resolve(notebook.getFileName()));
        Files.createSymbolicLink(scratch.resolve("lib"), Harness.root().resolve("lib"));
        // The CPython programs the notebooks run sit beside them, as in the committed folder.
        Files.createSymbolicLink(notebookDir.resolve("python"), Harness.notebooksDir().resolve("python"));
        Path config = scratch.resolve("jupyter-config");
        writeSettings(config.resolve("lab/user-settings"));

        port = freePort();
        token = UUID.randomUUID().toString().replace("-", "");
        log = scratch.resolve("lab.log");
        List<String> command = new ArrayList<>(List.of(Harness.root().resolve("jcn").toString(), "lab",
                "--no-browser",
                "--ServerApp.ip=127.0.0.1",
                "--ServerApp.port=" + port,
                "--ServerApp.port_retries=0",
                "--IdentityProvider.token=" + token,
                "--notebook-dir=" + notebookDir,
                "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("JUPYTER_CONFIG_DIR", config.toString());
        builder.environment().put("JUPYTERLAB_SETTINGS_DIR", config.resolve("lab/user-settings").toString());
        builder.environment().put("JUPYTERLAB_WORKSPACES_DIR", scratch.resolve("workspaces").toString());
        builder.environment().put("JCN_QUIET", "1");
        process = builder.start();
        try {
            awaitReady(startLimit);
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    /** The URL of a page of the server, with the token. */
    String url(String path) {
        return "http://127.0.0.1:" + port + path + (path.contains("?") ? "&" : "?") + "token=" + token;
    }

    /** GET on the server's REST API; the body, or null when the call fails. */
    String api(String path) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .header("Authorization", "token " + token).timeout(Duration.ofSeconds(5)).GET().build();
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? response.body() : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    String logTail() {
        try {
            String text = Files.readString(log, StandardCharsets.UTF_8);
            return text.substring(Math.max(0, text.length() - 3000));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private void awaitReady(Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("./jcn lab exited with " + process.exitValue() + " before serving; its log:\n"
                        + logTail());
            }
            if (api("/api/status") != null) {
                return;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("./jcn lab did not answer on port " + port + " within " + limit + "; its log:\n"
                + logTail());
    }

    /**
     * Settings a first-time reader would click away: no news pop-up, no update check. The
     * notebook renders every cell (no windowing), so cells below the fold are in the page.
     */
    private static void writeSettings(Path userSettings) throws IOException {
        Path apputils = userSettings.resolve("@jupyterlab/apputils-extension");
        Files.createDirectories(apputils);
        Files.writeString(apputils.resolve("notification.jupyterlab-settings"),
                "{\"fetchNews\": \"false\", \"checkForUpdates\": false}\n");
        Path notebook = userSettings.resolve("@jupyterlab/notebook-extension");
        Files.createDirectories(notebook);
        Files.writeString(notebook.resolve("tracker.jupyterlab-settings"), "{\"windowingMode\": \"none\"}\n");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() {
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        process.destroy(); // SIGTERM: Jupyter shuts its kernels down and exits
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                System.err.println("./jcn lab did not stop within 20 s of SIGTERM; killing it");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        tree.addAll(process.descendants().toList());
        process.destroyForcibly();
        tree.forEach(ProcessHandle::destroyForcibly);
    }
}
