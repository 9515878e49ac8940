package jcn.process;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Starts child JVMs running {@link ChildMain} and keeps the books on them: the bound on how
 * many may be alive, the threads that copy their output into this JVM's with a marker, and a
 * shutdown hook that kills whatever is left when this JVM ends.
 *
 * <p>A child also watches its standard input, which only this JVM holds open: when this JVM
 * dies in any way, even {@code kill -9}, the pipe closes and the child halts at once.
 */
final class Launcher {

    /** Set by {@link AotTraining}: the next child writes its ahead-of-time cache here. */
    static final String AOT_OUTPUT_PROPERTY = "jcn.child.aotOutput";

    private static final Set<Process> ALIVE = ConcurrentHashMap.newKeySet();
    private static final Set<List<String>> CHECKED_OPTIONS = ConcurrentHashMap.newKeySet();
    private static volatile int maxAlive = Math.max(16, 4 * Runtime.getRuntime().availableProcessors());

    static {
        Thread hook = new Thread(() -> {
            ALIVE.forEach(Process::destroyForcibly);
            Standby.killAll();
        }, "jcn-kill-children");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    private Launcher() {
    }

    static int maxAlive() {
        return maxAlive;
    }

    static void setMaxAlive(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("the bound on child processes must be at least 1, not " + max);
        }
        maxAlive = max;
    }

    static int alive() {
        ALIVE.removeIf(p -> !p.isAlive());
        return ALIVE.size();
    }

    /** A started child: the process, the pipe its tasks travel through, the thread copying its stderr. */
    record Child(String name, Process process, Pipe pipe, Thread stderr) {

        /** Waits until everything the child printed has been copied. */
        void awaitOutput(long millis) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            pipe.reader.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            stderr.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        }
    }

    /**
     * Starts a child JVM in {@code role} ({@code task} or {@code worker}) and gives it its orders:
     * a {@link Standby} JVM when one is ready for these options, else a new one.
     *
     * @throws IllegalStateException if as many children as the bound allows are alive
     */
    static Child start(String name, String role, CellCode code, List<String> jvmOptions) {
        checkOptions(jvmOptions);
        Child child;
        synchronized (ALIVE) {
            int alive = alive();
            if (alive >= maxAlive) {
                throw new IllegalStateException("cannot start " + name + ": " + alive + " child processes are alive and the"
                        + " bound is " + maxAlive + ". Join or kill some first, or raise the bound with"
                        + " ChildProcess.setMaxAlive(n).");
            }
            child = Standby.take(name, code, jvmOptions);
            if (child == null) {
                child = spawn(name, code.childClasspath(), jvmOptions);
            }
            ALIVE.add(child.process());
        }
        Process process = child.process();
        process.onExit().thenRun(() -> ALIVE.remove(process));
        // One child in, one standby out: a standby is replaced once the child that took it has
        // ended, so that it never competes for the cores with the work it was taken for.
        Standby.replaceWhenEnded(process);
        // The child's first words with its parent: only the patterns added to the allow-list (the
        // child has the defaults), and this JVM's pid, which the child would otherwise ask the OS for.
        String bootstrap = String.join("\n", "jcn-child 3", name, role, Long.toString(ProcessHandle.current().pid()),
                Hub.secretsForChild(), String.join("\t", AllowList.added()),
                String.join(File.pathSeparator, code.codePath())) + "\n";
        try {
            child.pipe().sendText(bootstrap);
            // Stdin stays open on purpose: the child takes its end as the sign that this JVM is gone.
        } catch (IOException e) {
            process.destroyForcibly();
            try {
                child.awaitOutput(1000);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
            throw new UncheckedIOException("the child JVM " + name + " ended before it could be told what to do;"
                    + " its own words, if any, are in the lines marked [" + name + "] above", e);
        }
        return child;
    }

    /**
     * Starts a JVM running {@link ChildMain} that waits for its orders; it is not counted
     * against the bound, the caller decides that.
     */
    static Child spawn(String name, List<String> classpath, List<String> jvmOptions) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(defaultOptions());
        command.addAll(jvmOptions);
        command.add("-Djcn.child.name=" + name);
        command.add("-cp");
        command.add(String.join(File.pathSeparator, classpath));
        command.add(ChildMain.class.getName());
        Process process;
        try {
            process = new ProcessBuilder(command).start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start a child JVM (" + command.get(0) + "): " + e.getMessage(), e);
        }
        Pipe pipe = new Pipe(name, process);
        return new Child(name, process, pipe, pump(pipe, process.getErrorStream()));
    }

    /** Whether a child started now would be given an ahead-of-time cache to train rather than one to use. */
    static boolean training() {
        return System.getProperty(AOT_OUTPUT_PROPERTY) != null;
    }

    /**
     * Refuses JVM options this JDK does not accept, naming them, before any child is started: a
     * child that cannot start would otherwise only say so on its stderr, and a pool would wait for
     * it. Each distinct list is tried once per JVM with {@code java <options> -version}, a short JVM.
     */
    static void checkOptions(List<String> jvmOptions) {
        if (jvmOptions.isEmpty() || CHECKED_OPTIONS.contains(jvmOptions)) {
            return;
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-version");
        Command.Result result = Command.run(Duration.ofSeconds(30), command.toArray(String[]::new));
        if (result.exitCode() != 0) {
            List<String> said = result.lines().stream().filter(l -> !l.isBlank()).limit(5).toList();
            throw new IllegalArgumentException("the JVM options " + jvmOptions + " were refused by "
                    + command.get(0) + ": " + String.join(" ", said) + ". Check their spelling;"
                    + " 'java -XX:+PrintFlagsFinal -version' lists the -XX options this JDK knows.");
        }
        CHECKED_OPTIONS.add(List.copyOf(jvmOptions));
    }

    private static List<String> defaultOptions() {
        // No -XX:+IgnoreUnrecognizedVMOptions: it would also hide a user's misspelt option.
        List<String> options = new ArrayList<>(List.of("-XX:+UseSerialGC", "-XX:-UsePerfData", "-XX:+ExitOnOutOfMemoryError"));
        // A task arrives as a lambda recipe that the child rebuilds through one reflective call. By
        // default the JDK's first Method.invoke generates method-handle classes for the call (three
        // LambdaForm classes, 4-5 ms of a cold child's 15 ms of Java work here); the native accessor
        // (JEP 416's documented fallback) answers the first call at once, and a child's reflective
        // calls are few: one per task rebuilt, plus serialisation's readObject/writeObject hooks.
        options.add("-Djdk.reflect.useNativeAccessorOnly=true");
        if (Runtime.version().feature() >= 22) {
            // A thread blocked reading stdin (the parent watch) otherwise holds up exit by 300 ms. The
            // flag came with JDK 22 (JDK-8314243); JDK 21 would refuse to start with it.
            options.add("-XX:UserThreadWaitAttemptsAtExit=0");
        }
        if (Runtime.version().feature() >= 24) {
            options.add("--sun-misc-unsafe-memory-access=allow");
        }
        String training = System.getProperty(AOT_OUTPUT_PROPERTY);
        Path cache = aotCache();
        if (training != null) {
            options.add("-XX:AOTCacheOutput=" + training);
            System.clearProperty(AOT_OUTPUT_PROPERTY);
        } else if (cache != null) {
            options.add("-XX:AOTCache=" + cache);
            options.add("-Xlog:aot=off");
            options.add("-Xlog:cds=off");
        }
        return options;
    }

    /**
     * The ahead-of-time cache made for child JVMs by {@code ./jcn}, next to this library's jar;
     * {@code null} if there is none or this JDK is older than 25.
     */
    static Path aotCache() {
        if (Runtime.version().feature() < 25) {
            return null;
        }
        try {
            Path jar = Path.of(Launcher.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path cache = jar.resolveSibling("jcn-child.aot");
            return Files.isRegularFile(jar) && Files.isRegularFile(cache) ? cache : null;
        } catch (Exception e) {
            return null;
        }
    }

    // The name is read from the pipe for each line: a standby gets its name when it is taken.
    private static Thread pump(Pipe pipe, InputStream stream) {
        Thread thread = new Thread(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    System.err.println("[" + pipe.name() + "] " + line);
                }
            } catch (IOException ignored) {
                // the child is gone; nothing more to copy
            }
        }, "jcn-errors-" + pipe.name());
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /** How a child's exit code reads to a person. */
    static String describeExit(int code) {
        if (code > 128 && code < 160) {
            int signal = code - 128;
            String sig = switch (signal) {
                case 9 -> " (SIGKILL)";
                case 15 -> " (SIGTERM)";
                case 6 -> " (SIGABRT)";
                case 11 -> " (SIGSEGV)";
                default -> "";
            };
            return "killed by signal " + signal + sig;
        }
        if (code == 3) {
            return "exited with code 3: the JVM ran out of memory";
        }
        return "exited with code " + code;
    }

    static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
