package jcn.notebooks;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad set-up input for {@code ./jcn}: each case must end with one clear message and a
 * non-zero exit, and a half-made virtual environment must be rebuilt by the next run.
 *
 * <p>The cases point the launcher at a scratch venv ({@code JCN_VENV}), so the project's own
 * {@code .venv} is never touched.
 */
class LauncherTest {

    record Run(int exit, String output) {
    }

    static Run jcn(Map<String, String> env, List<String> unset, String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of(Harness.root().resolve("jcn").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        unset.forEach(builder.environment()::remove);
        builder.environment().putAll(env);
        Process process = builder.start();
        byte[] out;
        try (var in = process.getInputStream()) {
            out = in.readAllBytes();
        }
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("./jcn " + String.join(" ", args) + " did not finish within 5 minutes");
        }
        return new Run(process.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    @Test
    void aJdkOlderThan21IsRefusedWithWhatToInstall(@TempDir Path venv) throws Exception {
        Path old = Path.of("/usr/lib/jvm/java-17-openjdk-amd64");
        String javaHome = Files.isDirectory(old) ? old.toString() : System.getProperty("java.home");
        Run run = jcn(Map.of("JAVA_HOME", javaHome, "JCN_JDK_DIRS", venv.resolve("none").toString(),
                "JCN_VENV", venv.resolve("v").toString()), List.of(), "setup");
        assertEquals(1, run.exit(), run.output());
        assertTrue(run.output().contains("no JDK 21 or newer was found"), run.output());
        assertTrue(run.output().contains("apt-get install openjdk-21-jdk"), run.output());
        assertTrue(run.output().contains("conda env create -f environment.yml"), run.output());
        if (Files.isDirectory(old)) {
            assertTrue(run.output().contains("found only: JAVA_HOME=" + old + " (17)"), run.output());
        }
    }

    @Test
    void noJdkAtAllIsRefused(@TempDir Path empty) throws Exception {
        Run run = jcn(Map.of("JCN_JDK_DIRS", empty.toString(), "JCN_VENV", empty.resolve("v").toString()),
                List.of("JAVA_HOME"), "setup");
        assertEquals(1, run.exit(), run.output());
        assertTrue(run.output().contains("no JDK 21 or newer was found."), run.output());
        assertTrue(run.output().lines().filter(l -> l.startsWith("jcn:")).count() == 1,
                "one message, not a cascade:\n" + run.output());
    }

    @Test
    void noPythonIsRefused(@TempDir Path dir) throws Exception {
        Run run = jcn(Map.of("JCN_PYTHON", dir.resolve("no-such-python3").toString(),
                "JCN_VENV", dir.resolve("v").toString()), List.of(), "setup");
        assertEquals(1, run.exit(), run.output());
        assertTrue(run.output().contains("python3 (3.9 or newer) was not found at JCN_PYTHON="), run.output());
        assertTrue(run.output().contains("apt-get install python3 python3-venv"), run.output());
    }

    @Test
    void anUnknownCommandSaysWhichExist() throws Exception {
        Run run = jcn(Map.of(), List.of(), "lab-please");
        assertEquals(1, run.exit(), run.output());
        assertTrue(run.output().contains("unknown command 'lab-please'"), run.output());
    }

    @Test
    void aHalfMadeVenvIsRebuiltByTheNextRun(@TempDir Path dir) throws Exception {
        // What an interrupted first run leaves: the folder and a python, but no finished stamp.
        Path venv = dir.resolve("venv");
        Files.createDirectories(venv.resolve("bin"));
        Files.writeString(venv.resolve("bin/python"), "#!/bin/sh\nexit 3\n");
        venv.resolve("bin/python").toFile().setExecutable(true);

        Run run = jcn(Map.of("JCN_VENV", venv.toString()), List.of(), "setup");
        assertEquals(0, run.exit(), run.output());
        assertTrue(run.output().contains("rebuilding .venv"), run.output());
        assertTrue(Files.exists(venv.resolve(".jcn/venv")), "the finished venv carries its stamp");
        String kernel = Files.readString(venv.resolve("share/jupyter/kernels/java/kernel.json"));
        assertTrue(kernel.contains("\"JAVA_HOME\""), "the kernelspec pins JAVA_HOME:\n" + kernel);

        Run again = jcn(Map.of("JCN_VENV", venv.toString()), List.of(), "setup");
        assertEquals(0, again.exit(), again.output());
        assertTrue(!again.output().contains("creating .venv"), "a second run reuses the venv:\n" + again.output());
    }
}
