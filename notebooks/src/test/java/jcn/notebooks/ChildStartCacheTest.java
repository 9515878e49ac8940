package jcn.notebooks;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Child JVMs start from the ahead-of-time cache the build trained beside the helper jar (JDK
 * 25+). A cache that does not fit is ignored without a word, and every child then starts tens of
 * milliseconds slower; so this starts children the way a program using the jar does, with class
 * loading logged in every JVM, and asks where each child's own main class came from.
 */
class ChildStartCacheTest {

    @Test
    void childrenLoadTheirOwnClassesFromTheCacheBesideTheJar(@TempDir Path logs) throws Exception {
        assumeTrue(Runtime.version().feature() >= 25, "ahead-of-time caches for children need JDK 25");
        Path jar = Harness.root().resolve("lib/target/jcn-lib.jar");
        assertTrue(Files.isRegularFile(jar.resolveSibling("jcn-child.aot")), "the build made no child cache beside " + jar);

        // Three cold children, each logging its class loading to a file of its own (%p: its pid).
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", jar.toString(), "jcn.bench.ProcessBenchmark", "cold", "1").redirectErrorStream(true);
        builder.environment().put("JAVA_TOOL_OPTIONS", "-Xlog:class+load=info:file=" + logs + "/load-%p.log");
        Process process = builder.start();
        String out;
        try (var in = process.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the benchmark JVM did not end within 60 s");
        assertEquals(0, process.exitValue(), out);

        List<String> childMains = new ArrayList<>();
        try (Stream<Path> files = Files.list(logs)) {
            for (Path log : files.toList()) {
                if (log.getFileName().toString().equals("load-" + process.pid() + ".log")) {
                    continue;   // the benchmark's own JVM, which loads ChildMain from the jar to name it
                }
                Files.readAllLines(log).stream().filter(l -> l.contains(" jcn.process.ChildMain source:"))
                        .forEach(childMains::add);
            }
        }
        assertEquals(3, childMains.size(), "two untimed cold starts and one timed: " + childMains);
        for (String line : childMains) {
            assertTrue(line.endsWith("source: shared objects file"), "a child loaded its main class from the jar: " + line);
        }
    }
}
