package jcn.process;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs an external program to its end and captures what it printed and its exit code: the
 * twin of Python's {@code subprocess.call} / {@code subprocess.run}.
 *
 * <p>The wait is always bounded: a program still running at the timeout is killed (with its
 * own children) and a {@link CommandTimeoutException} says so. {@link #python} runs a small
 * CPython program written in a notebook cell, which is how notebooks set CPython's numbers
 * beside Java's on the same machine.
 */
public final class Command {

    /** The timeout used when none is given. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    /**
     * What a finished program did.
     *
     * @param command  the command line that ran
     * @param exitCode its exit code (0 means success by convention)
     * @param output   its standard output and standard error, interleaved as printed
     * @param elapsed  wall time from start to exit
     */
    public record Result(List<String> command, int exitCode, String output, Duration elapsed) {

        /** Returns this result if the exit code was 0, else throws with the output in the message. */
        public Result orThrow() {
            if (exitCode != 0) {
                throw new IllegalStateException(String.join(" ", command) + " exited with " + exitCode + ":\n" + output);
            }
            return this;
        }

        /** The output's lines. */
        public List<String> lines() {
            return output.lines().toList();
        }
    }

    /** Thrown when a program is still running at its timeout; it has been killed by then. */
    public static final class CommandTimeoutException extends RuntimeException {
        CommandTimeoutException(String message) {
            super(message);
        }
    }

    private Command() {
    }

    /** Runs {@code argv} with {@link #DEFAULT_TIMEOUT}. */
    public static Result run(String... argv) {
        return run(DEFAULT_TIMEOUT, argv);
    }

    /**
     * Runs {@code argv} (program and arguments, no shell) and waits at most {@code timeout}.
     *
     * @throws IllegalArgumentException  if {@code argv} is empty
     * @throws CommandTimeoutException   if it did not end in time (it is killed)
     * @throws UncheckedIOException      if the program could not be started (e.g. not found)
     */
    public static Result run(Duration timeout, String... argv) {
        Objects.requireNonNull(timeout, "timeout");
        if (argv == null || argv.length == 0) {
            throw new IllegalArgumentException("no command given; pass the program and its arguments, e.g. run(\"ls\", \"-l\")");
        }
        List<String> command = List.copyOf(Arrays.asList(argv));
        long start = System.nanoTime();
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + command.get(0) + ": " + e.getMessage()
                    + " (is it installed and on PATH?)", e);
        }
        // Read on another thread so a chatty program cannot fill the pipe and stall. A thread of its
        // own, not the common pool: on 2 cores that pool has one thread, so two Commands (or any other
        // CompletableFuture work) would queue behind each other's blocking reads.
        CompletableFuture<String> output = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try {
                output.complete(readAll(process.getInputStream()));
            } catch (Throwable t) {
                output.completeExceptionally(t);
            }
        }, "jcn-command-output");
        reader.setDaemon(true);
        reader.start();
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                kill(process);
                throw new CommandTimeoutException(String.join(" ", command) + " was still running after " + timeout
                        + " and has been killed");
            }
            String text = output.get(5, TimeUnit.SECONDS);
            return new Result(command, process.exitValue(), text, Duration.ofNanos(System.nanoTime() - start));
        } catch (InterruptedException e) {
            kill(process);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + command.get(0) + "; it has been killed", e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            kill(process);
            throw new IllegalStateException("could not read the output of " + command.get(0), e);
        }
    }

    /**
     * Writes {@code program} to a temporary file and runs it with {@code python3} from PATH,
     * passing {@code args}; the file is deleted afterwards.
     */
    public static Result python(String program, String... args) {
        Objects.requireNonNull(program, "program");
        Path script = null;
        try {
            script = Files.createTempFile("jcn-", ".py");
            Files.writeString(script, program, StandardCharsets.UTF_8);
            List<String> argv = new ArrayList<>(List.of("python3", script.toString()));
            argv.addAll(Arrays.asList(args));
            return run(DEFAULT_TIMEOUT, argv.toArray(String[]::new));
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the Python program to a temporary file", e);
        } finally {
            if (script != null) {
                try {
                    Files.deleteIfExists(script);
                } catch (IOException ignored) {
                    // a leftover temp file is harmless
                }
            }
        }
    }

    private static void kill(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String readAll(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
