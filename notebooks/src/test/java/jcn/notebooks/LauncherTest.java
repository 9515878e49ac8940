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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Bad set-up input for {@code ./jcn}: each case must end with one clear message and a
 * non-zero exit, and a half-made virtual environment must be rebuilt by the next run.
 *
 * <p>The cases point the launcher at a scratch venv ({@code JCN_VENV}), so the project's own
 * {@code .venv} is never touched.
 *
 * <p>The layouts of other systems (macOS's {@code java_home} and JavaVirtualMachines bundles,
 * Homebrew kegs, SDKMAN, a conda environment) are rebuilt from fake directories: a fake JDK is a
 * {@code bin/java} script answering the two questions {@code jcn} asks of a JDK (its version and
 * its modules), and fake {@code uname} / {@code java_home} commands go first on {@code PATH}.
 * Fake JDKs claim versions above any real one (9x), so a real JDK of this machine never wins.
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
        // A first run is not a minute of silence: each slow step says what it does, then how long it took.
        assertTrue(run.output().contains("jcn: installing jupyterlab, jjava, nbclient, nbconvert into .venv (about a minute)..."),
                run.output());
        assertTrue(run.output().lines().anyMatch(l -> l.matches("jcn: done in \\d+ s")), run.output());
        assertTrue(Files.exists(venv.resolve(".jcn/venv")), "the finished venv carries its stamp");
        String kernel = Files.readString(venv.resolve("share/jupyter/kernels/java/kernel.json"));
        assertTrue(kernel.contains("\"JAVA_HOME\""), "the kernelspec pins JAVA_HOME:\n" + kernel);

        if (Runtime.version().feature() >= 25) {
            // The kernel's start-up cache is trained once, by the first run, and kept by the next.
            assertTrue(run.output().contains("jcn: making the kernel's start-up cache"), run.output());
            assertFalse(run.output().contains("kernels start without it"), run.output());
            assertTrue(Files.isRegularFile(venv.resolve(".jcn/kernel.aot")), "the cache is in the venv");
        }

        Run again = jcn(Map.of("JCN_VENV", venv.toString()), List.of(), "setup");
        assertEquals(0, again.exit(), again.output());
        assertTrue(!again.output().contains("creating .venv"), "a second run reuses the venv:\n" + again.output());
        assertFalse(again.output().contains("start-up cache"), "a second run keeps the kernel's cache:\n" + again.output());
    }

    @Test
    void aVenvLinkToNothingIsReportedAndKept(@TempDir Path dir) throws Exception {
        // A checkout whose .venv links to a shared venv not made yet: the link must survive the run.
        Path link = Files.createSymbolicLink(dir.resolve("venv"), dir.resolve("shared/venv"));
        Run run = jcn(Map.of("JCN_VENV", link.toString()), List.of(), "setup");
        assertEquals(1, run.exit(), run.output());
        assertTrue(run.output().contains("is a symbolic link to " + dir.resolve("shared/venv") + ", which does not exist"),
                run.output());
        assertTrue(Files.isSymbolicLink(link), "the link is kept");
    }

    // ------------------------------------------------------------------ other systems

    /** What the layout cases must not inherit from the machine that runs them. */
    static final List<String> MACHINE_JDK_HINTS = List.of("JAVA_HOME", "JCN_JDK_DIRS", "CONDA_PREFIX",
            "HOMEBREW_PREFIX", "SDKMAN_DIR");

    static void script(Path file, String body) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, "#!/bin/sh\n" + body + "\n");
        assertTrue(file.toFile().setExecutable(true), "could not make " + file + " executable");
    }

    /** A JDK home whose java answers jcn's two questions as a JDK of that feature version would. */
    static Path fakeJdk(Path home, int version) throws IOException {
        script(home.resolve("bin/java"), "case \"$1\" in\n"
                + "  --list-modules) printf 'java.base@%1$d\\njdk.compiler@%1$d\\njdk.jshell@%1$d\\n' ;;\n".formatted(version)
                + "  *) echo '    java.specification.version = %d' >&2 ;;\n".formatted(version)
                + "esac");
        script(home.resolve("bin/javac"), "exit 0");
        return home;
    }

    /** A JDK home whose tools are the real ones of the JDK running this test. */
    static Path delegatingJdk(Path home) throws IOException {
        Path real = Path.of(System.getProperty("java.home"), "bin");
        script(home.resolve("bin/java"), "exec '" + real.resolve("java") + "' \"$@\"");
        script(home.resolve("bin/javac"), "exec '" + real.resolve("javac") + "' \"$@\"");
        return home;
    }

    /** A folder of fake commands: uname saying {@code kernel}, plus any others given as name, body. */
    static Path fakeCommands(Path dir, String kernel, String... nameAndBody) throws IOException {
        script(dir.resolve("uname"), "echo " + kernel);
        for (int i = 0; i < nameAndBody.length; i += 2) {
            script(dir.resolve(nameAndBody[i]), nameAndBody[i + 1]);
        }
        return dir;
    }

    static Map<String, String> env(Path fakeBin, Path home, String... more) {
        Map<String, String> env = new java.util.HashMap<>(Map.of(
                "PATH", fakeBin + ":" + System.getenv("PATH"), "HOME", home.toString()));
        for (int i = 0; i < more.length; i += 2) {
            env.put(more[i], more[i + 1]);
        }
        return env;
    }

    /** {@code ./jcn jdk}: the chosen home on the first line, how it was found on the second. */
    static List<String> chosen(Map<String, String> env) throws Exception {
        Run run = jcn(env, MACHINE_JDK_HINTS, "jdk");
        assertEquals(0, run.exit(), run.output());
        return run.output().lines().filter(l -> !l.startsWith("jcn:")).toList();
    }

    @Test
    void macOsJavaHomeToolIsAskedForA21OrNewer(@TempDir Path dir) throws Exception {
        Path jdk = fakeJdk(dir.resolve("Library/Java/JavaVirtualMachines/temurin-99.jdk/Contents/Home"), 99);
        // java_home prints a path only when asked for what jcn needs, and fails like the real one otherwise.
        Path bin = fakeCommands(dir.resolve("fake-bin"), "Darwin", "java_home",
                "[ \"$1 $2\" = '-v 21+' ] || { echo \"asked: $*\" >&2; exit 2; }\necho '" + jdk + "'");
        List<String> out = chosen(env(bin, dir.resolve("home")));
        assertEquals(jdk.toString(), out.get(0), String.join("\n", out));
        assertEquals("JDK 99, found through java_home -v 21+", out.get(1));
    }

    @Test
    void whenJavaHomeFindsNoneTheUsersJavaVirtualMachinesAreSearched(@TempDir Path dir) throws Exception {
        // IntelliJ downloads JDKs into ~/Library/Java/JavaVirtualMachines, the same bundle layout as /Library's.
        Path home = dir.resolve("home");
        Path jdk = fakeJdk(home.resolve("Library/Java/JavaVirtualMachines/jdk-98.jdk/Contents/Home"), 98);
        Path bin = fakeCommands(dir.resolve("fake-bin"), "Darwin", "java_home",
                "echo 'Unable to find any JVMs matching version \"21+\".' >&2\nexit 1");
        List<String> out = chosen(env(bin, home));
        assertEquals(jdk.toString(), out.get(0), String.join("\n", out));
        assertEquals("JDK 98, found through " + home.resolve("Library/Java/JavaVirtualMachines"), out.get(1));
    }

    @Test
    void aHomebrewKegIsFoundThroughOptOnMacAndOnLinux(@TempDir Path dir) throws Exception {
        // Homebrew's layout: Cellar/<formula>/<version> is the keg, opt/<formula> a symlink to it; on
        // macOS the JDK home is libexec/openjdk.jdk/Contents/Home and bin/ at the keg root holds links
        // into it; on Linux the JDK home is libexec. jcn must name the opt/ path, which survives upgrades.
        Path brew = dir.resolve("brew");
        Path macKeg = brew.resolve("Cellar/openjdk@21/21.0.9");
        fakeJdk(macKeg.resolve("libexec/openjdk.jdk/Contents/Home"), 97);
        Files.createDirectories(macKeg.resolve("bin"));
        Files.createSymbolicLink(macKeg.resolve("bin/java"), Path.of("../libexec/openjdk.jdk/Contents/Home/bin/java"));
        Path linuxKeg = fakeJdk(brew.resolve("Cellar/openjdk/96.0.1/libexec"), 96).getParent();
        Files.createDirectories(brew.resolve("opt"));
        Files.createSymbolicLink(brew.resolve("opt/openjdk@21"), Path.of("../Cellar/openjdk@21/21.0.9"));
        Files.createSymbolicLink(brew.resolve("opt/openjdk"), Path.of("../Cellar/openjdk/96.0.1"));
        Path bin = fakeCommands(dir.resolve("fake-bin"), "Darwin", "java_home", "exit 1");

        List<String> out = chosen(env(bin, dir.resolve("home"), "HOMEBREW_PREFIX", brew.toString()));
        assertEquals(brew.resolve("opt/openjdk@21/libexec/openjdk.jdk/Contents/Home").toString(), out.get(0),
                String.join("\n", out));
        assertEquals("JDK 97, found through Homebrew openjdk@21", out.get(1));

        Files.delete(brew.resolve("opt/openjdk@21"));
        out = chosen(env(bin, dir.resolve("home"), "HOMEBREW_PREFIX", brew.toString()));
        assertEquals(brew.resolve("opt/openjdk/libexec").toString(), out.get(0), "the Linux keg layout: " + linuxKeg);
        assertEquals("JDK 96, found through Homebrew openjdk", out.get(1));
    }

    @Test
    void sdkmanCandidatesAreFoundAndItsCurrentLinkIsNotAJdkOfItsOwn(@TempDir Path dir) throws Exception {
        Path home = dir.resolve("home");
        Path java = home.resolve(".sdkman/candidates/java");
        Path jdk = fakeJdk(java.resolve("zulu-95.0.1"), 95);
        // `current` sorts before the version it points at: naming it would pin the kernel to a moving link.
        Files.createSymbolicLink(java.resolve("current"), Path.of("zulu-95.0.1"));
        Path bin = fakeCommands(dir.resolve("fake-bin"), "Linux");
        List<String> out = chosen(env(bin, home));
        assertEquals(jdk.toString(), out.get(0), String.join("\n", out));
        assertEquals("JDK 95, found through SDKMAN", out.get(1));
    }

    @Test
    void aCondaEnvironmentsJdkIsFoundWithoutJavaHome(@TempDir Path dir) throws Exception {
        // conda-forge's openjdk installs the JDK into $CONDA_PREFIX/lib/jvm and links its tools into bin/.
        Path conda = dir.resolve("envs/jcn-notebooks");
        Path jdk = fakeJdk(conda.resolve("lib/jvm"), 94);
        Path bin = fakeCommands(dir.resolve("fake-bin"), "Linux");
        List<String> out = chosen(env(bin, dir.resolve("home"), "CONDA_PREFIX", conda.toString()));
        assertEquals(jdk.toString(), out.get(0), String.join("\n", out));
        assertEquals("JDK 94, found through conda environment " + conda, out.get(1));
    }

    @Test
    void installHintsNameTheToolOfTheSystem(@TempDir Path dir) throws Exception {
        Path none = dir.resolve("none");
        Path mac = fakeCommands(dir.resolve("mac-bin"), "Darwin", "java_home", "exit 1");
        Run run = jcn(env(mac, dir.resolve("home"), "JCN_JDK_DIRS", none.toString()), MACHINE_JDK_HINTS, "jdk");
        assertEquals(1, run.exit(), run.output());
        assertTrue(run.output().contains("brew install openjdk@21"), run.output());
        assertFalse(run.output().contains("apt-get"), "no apt-get on a Mac:\n" + run.output());
        assertFalse(run.output().contains("conda install"), "no conda environment is active:\n" + run.output());

        Path conda = dir.resolve("env");
        run = jcn(env(mac, dir.resolve("home"), "JCN_JDK_DIRS", none.toString(), "CONDA_PREFIX", conda.toString()),
                MACHINE_JDK_HINTS, "jdk");
        assertEquals(1, run.exit(), run.output());
        assertTrue(run.output().contains("conda install -c conda-forge 'openjdk>=21'"), run.output());
    }

    /**
     * A venv that {@code ./jcn} takes as finished (stamp, a python that passes the import check,
     * the kernel jar), so {@code setup} writes the kernelspec without installing anything. Its
     * pyvenv.cfg names {@code pythonHome} as the interpreter's directory.
     */
    static Path finishedVenv(Path venv, Path pythonHome) throws Exception {
        String python = java.util.Arrays.stream(System.getenv("PATH").split(":"))
                .map(d -> Path.of(d, "python3")).filter(Files::isExecutable).findFirst()
                .orElseThrow(() -> new AssertionError("python3 is not on PATH")).toString();
        script(venv.resolve("bin/python"), "[ \"$1 $2\" = '-c import nbclient, jupyterlab' ] && exit 0\n"
                + "exec '" + python + "' \"$@\"");
        Files.writeString(venv.resolve("pyvenv.cfg"), "home = " + pythonHome + "\nversion = 3.11.7\n");
        Files.createDirectories(venv.resolve("share/jupyter/kernels/java"));
        Files.createFile(venv.resolve("share/jupyter/kernels/java/jjava.jar"));
        byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                .digest(Files.readAllBytes(Harness.root().resolve("requirements.txt")));
        Files.createDirectories(venv.resolve(".jcn"));
        Files.writeString(venv.resolve(".jcn/venv"), java.util.HexFormat.of().formatHex(digest).substring(0, 16) + "\n");
        return venv;
    }

    static String kernelPath(Path venv) throws IOException {
        String kernel = Files.readString(venv.resolve("share/jupyter/kernels/java/kernel.json"));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"PATH\": \"([^\"]*)\"").matcher(kernel);
        assertTrue(m.find(), "the kernelspec sets PATH:\n" + kernel);
        return m.group(1);
    }

    @Test
    void aCondaEnvironmentsJdkComesThroughJavaHomeAndTheKernelKeepsTheUsersPath(@TempDir Path dir) throws Exception {
        // What `conda activate jcn-notebooks` leaves: JAVA_HOME=$CONDA_PREFIX/lib/jvm (the openjdk
        // package's activation script) and $CONDA_PREFIX/bin on PATH; Homebrew's bin is there too.
        Path conda = dir.resolve("envs/jcn-notebooks");
        Path jdk = delegatingJdk(conda.resolve("lib/jvm"));
        Files.createDirectories(conda.resolve("bin"));
        Path brewBin = Files.createDirectories(dir.resolve("homebrew/bin"));
        Path pythonHome = Files.createDirectories(dir.resolve("python/bin"));
        Path venv = finishedVenv(dir.resolve("venv"), pythonHome);
        // A stale helper jar would start Maven: a stand-in keeps the case fast and offline.
        Path bin = fakeCommands(dir.resolve("fake-bin"), "Linux", "mvn", "exit 0");
        Map<String, String> env = env(bin, dir.resolve("home"), "CONDA_PREFIX", conda.toString(),
                "JAVA_HOME", jdk.toString(), "JCN_VENV", venv.toString());
        env.put("PATH", bin + ":" + conda.resolve("bin") + ":" + brewBin + ":relative/bin::" + System.getenv("PATH"));

        Run run = jcn(env, List.of("JCN_JDK_DIRS", "HOMEBREW_PREFIX", "SDKMAN_DIR"), "setup");
        assertEquals(0, run.exit(), run.output());
        assertTrue(run.output().contains("jcn: JDK " + Runtime.version().feature() + " at " + jdk
                + " (found through JAVA_HOME)"), run.output());
        assertFalse(run.output().contains("creating .venv"), "the finished venv is kept:\n" + run.output());
        List<String> path = List.of(kernelPath(venv).split(":"));
        assertEquals(List.of(jdk.resolve("bin").toString(), venv.resolve("bin").toString(), pythonHome.toString()),
                path.subList(0, 3), "the JDK first (child JVMs), then the venv and the Python it was made from");
        assertTrue(path.contains(conda.resolve("bin").toString()), "the conda environment's bin: " + path);
        assertTrue(path.contains(brewBin.toString()), "Homebrew's bin: " + path);
        assertTrue(path.stream().allMatch(p -> p.startsWith("/")), "no empty or relative entries: " + path);
        assertEquals(path.size(), new java.util.HashSet<>(path).size(), "each entry once: " + path);

        Map<String, String> quietEnv = new java.util.HashMap<>(env);
        quietEnv.put("JCN_QUIET", "1");
        Run quiet = jcn(quietEnv, List.of("JCN_JDK_DIRS", "HOMEBREW_PREFIX", "SDKMAN_DIR"), "setup");
        assertEquals(0, quiet.exit(), quiet.output());
        assertEquals("", quiet.output(), "JCN_QUIET silences every jcn: line");
    }

    @Test
    void withoutSha256sumTheHashComesFromShasum(@TempDir Path dir) throws Exception {
        // macOS has shasum (perl) and no sha256sum: a PATH of this machine's tools minus sha256sum.
        Path tools = Files.createDirectories(dir.resolve("tools"));
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/shasum")), "this machine has no shasum to stand in");
        for (String d : List.of("/usr/bin", "/bin")) {
            try (var files = Files.list(Path.of(d))) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    Path link = tools.resolve(f.getFileName().toString());
                    if (!f.getFileName().toString().equals("sha256sum") && !Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                        Files.createSymbolicLink(link, f);
                    }
                }
            }
        }
        Path venv = finishedVenv(dir.resolve("venv"), Files.createDirectories(dir.resolve("python/bin")));
        Path bin = fakeCommands(dir.resolve("fake-bin"), "Darwin", "mvn", "exit 0", "java_home", "exit 1");
        Map<String, String> env = env(bin, dir.resolve("home"), "JCN_VENV", venv.toString(),
                "JAVA_HOME", delegatingJdk(dir.resolve("jdk")).toString());
        env.put("PATH", bin + ":" + tools);

        Run run = jcn(env, List.of("JCN_JDK_DIRS", "CONDA_PREFIX", "HOMEBREW_PREFIX", "SDKMAN_DIR"), "setup");
        assertEquals(0, run.exit(), run.output());
        assertFalse(run.output().contains("creating .venv"), "shasum gave the same hash as the stamp's:\n" + run.output());

        Files.delete(tools.resolve("shasum"));
        run = jcn(env, List.of("JCN_JDK_DIRS", "CONDA_PREFIX", "HOMEBREW_PREFIX", "SDKMAN_DIR"), "setup");
        assertEquals(1, run.exit(), run.output());
        assertTrue(run.output().contains("neither sha256sum nor shasum was found"), run.output());
    }
}
