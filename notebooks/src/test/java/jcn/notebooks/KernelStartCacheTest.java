package jcn.notebooks;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The Java kernel that {@code ./jcn} installs starts from the ahead-of-time cache its set-up
 * trained (JDK 25+). The JVM gives no error when a cache does not fit its options or jar, it just
 * starts without it, slower; so this starts the kernel's JVM exactly as the kernel spec says and
 * asks where JJava's own main class came from.
 */
class KernelStartCacheTest {

    @Test
    void theKernelsOwnClassesComeFromTheCacheItsSpecNames() throws Exception {
        assumeTrue(Runtime.version().feature() >= 25, "ahead-of-time caches for the kernel need JDK 25");
        Path spec = Harness.root().resolve(".venv/share/jupyter/kernels/java");
        List<String> argv = kernelArgv(spec.resolve("kernel.json"));
        String cacheOption = argv.stream().filter(a -> a.startsWith("-XX:AOTCache=")).findFirst()
                .orElseThrow(() -> new AssertionError("the kernel spec names no -XX:AOTCache: " + argv));
        Path cache = Path.of(cacheOption.substring("-XX:AOTCache=".length()));
        assertTrue(Files.isRegularFile(cache), "the cache the kernel spec names was not made: " + cache);

        // The kernel's command up to its jar, with class loading logged, and no connection file:
        // JJava loads its main class, then stops at once for want of one.
        int jar = argv.indexOf("-jar");
        List<String> command = new ArrayList<>(argv.subList(0, jar));
        command.add("-Xlog:class+load=info");
        command.add("-jar");
        command.add(argv.get(jar + 1).replace("{resource_dir}", spec.toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out;
        try (var in = process.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the kernel's JVM did not stop within 30 s");
        String main = out.lines().filter(l -> l.contains(" org.dflib.jjava.distro.JJava source:")).findFirst()
                .orElseThrow(() -> new AssertionError("JJava's main class was not loaded:\n" + tail(out)));
        assertTrue(main.endsWith("source: shared objects file"),
                "JJava's main class came from its jar, not from the cache " + cache + ": " + main);
    }

    private static List<String> kernelArgv(Path kernelJson) throws Exception {
        Process python = new ProcessBuilder(Harness.root().resolve(".venv/bin/python").toString(), "-c",
                "import json, sys; print('\\n'.join(json.load(open(sys.argv[1]))['argv']))", kernelJson.toString())
                .redirectErrorStream(true).start();
        String out;
        try (var in = python.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(python.waitFor(30, TimeUnit.SECONDS), "python did not read " + kernelJson + " within 30 s");
        assertEquals(0, python.exitValue(), "could not read " + kernelJson + ": " + out);
        return out.lines().toList();
    }

    private static String tail(String out) {
        List<String> lines = out.lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 10), lines.size()));
    }
}
