package jcn.notebooks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code notebooks/harness/run_notebook.py} in the project's virtual environment and
 * reads back one result per notebook.
 *
 * <p>The Python side does the executing (nbclient is the reference client); this class keeps
 * the JUnit side to starting it with a bounded wait and turning its reports into test results.
 */
final class Harness {

    /** What the harness said about one notebook. */
    record Result(String notebook, boolean passed, String report) {
    }

    static Path root() {
        String configured = System.getProperty("jcn.root");
        Path root = configured != null ? Path.of(configured) : Path.of("..");
        return root.toAbsolutePath().normalize();
    }

    static Path notebooksDir() {
        return root().resolve("notebooks");
    }

    /** The numbered notebooks of the course, in order. */
    static List<Path> courseNotebooks() throws IOException {
        try (var files = Files.list(notebooksDir())) {
            return files.filter(p -> p.getFileName().toString().matches("\\d\\d-.+\\.ipynb")).sorted().toList();
        }
    }

    /**
     * Executes {@code notebooks} in one harness run and returns a result per notebook, keyed
     * by file name.
     *
     * @param extraArgs harness options such as {@code --check-committed}
     * @param limit     how long the whole run may take before it is killed
     */
    static Map<String, Result> run(List<Path> notebooks, List<String> extraArgs, Duration limit, Path reportDir)
            throws IOException, InterruptedException {
        return run(notebooks, extraArgs, limit, reportDir, List.of());
    }

    /**
     * The same, with the harness started behind {@code prefix} (for example
     * {@code taskset -c 0}, which pins it, its kernels and every process they start to one core).
     */
    static Map<String, Result> run(List<Path> notebooks, List<String> extraArgs, Duration limit, Path reportDir,
                                   List<String> prefix) throws IOException, InterruptedException {
        Path python = root().resolve(".venv/bin/python");
        if (!Files.isExecutable(python)) {
            throw new IllegalStateException("No project virtual environment at " + python
                    + ": run the tests with ./jcn test, which sets it up.");
        }
        deleteTree(reportDir);
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of(python.toString(),
                notebooksDir().resolve("harness/run_notebook.py").toString(),
                "--report-dir", reportDir.toString(),
                "--out", reportDir.resolve("executed").toString()));
        command.addAll(extraArgs);
        notebooks.forEach(p -> command.add(p.toString()));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(reportDir.resolveSibling(reportDir.getFileName() + ".log").toFile());
        Files.createDirectories(reportDir.getParent());
        builder.environment().put("JUPYTER_PATH", root().resolve(".venv/share/jupyter").toString());
        builder.environment().put("JUPYTER_PLATFORM_DIRS", "1");
        Process process = builder.start();
        try {
            if (!process.waitFor(limit.toSeconds(), TimeUnit.SECONDS)) {
                throw new AssertionError("The notebook harness did not finish within " + limit
                        + "; its log is " + reportDir.getFileName() + ".log");
            }
        } finally {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        Map<String, Result> results = new TreeMap<>();
        for (Path notebook : notebooks) {
            String name = notebook.getFileName().toString();
            Path file = reportDir.resolve(name + ".result");
            if (!Files.exists(file)) {
                String log = Files.readString(reportDir.resolveSibling(reportDir.getFileName() + ".log"));
                results.put(name, new Result(name, false, "the harness wrote no result for " + name + "; its log:\n"
                        + log.substring(Math.max(0, log.length() - 4000))));
                continue;
            }
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            results.put(name, new Result(name, lines.get(0).equals("passed"),
                    String.join("\n", lines.subList(1, lines.size()))));
        }
        return results;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted((a, b) -> b.compareTo(a)).toList()) {
                Files.delete(p);
            }
        }
    }

    private Harness() {
    }
}
