package jcn.process;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.jar.JarFile;

/**
 * The program every child JVM of this library runs. It reads its orders from standard input
 * (its name, role, its parent's pid, the secrets of its parent's hub, the patterns added to the
 * allow-list, the code path), then task frames: one
 * ({@code task} role) or until told to stop ({@code worker} role). Answers go back on
 * standard output between the lines the task prints.
 *
 * <p>A thread checks five times a second that the parent is still this process's parent; when
 * the parent dies, however it dies, the child is handed to another and halts at once rather
 * than live on as an orphan. Not meant to be started by hand.
 */
public final class ChildMain {

    static final int TASK = 1;
    static final int RESULT = 2;
    static final int FAILURE = 3;
    static final int READY = 4;
    static final int STOP = 5;
    /** Sent before the orders are read: the JVM has booted (what a standby waits in). */
    static final int BOOTED = 6;

    private static final int EXIT_PARENT_GONE = 86;
    private static final long WATCH_MILLIS = 200;

    // Kept open for this JVM's life so the jar's directory stays read (see warmUp).
    @SuppressWarnings("unused")
    private static volatile JarFile openJar;

    private ChildMain() {
    }

    /** Entry point of a child JVM; see the class description. */
    public static void main(String[] args) throws Exception {
        InputStream stdin = System.in;
        Pipe.ChildSide out = new Pipe.ChildSide(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16));
        // A standby JVM is started before anyone knows what it will do: it says it has booted and
        // waits here for its orders. If the parent dies first, standard input ends and so does this JVM.
        // Orders already waiting mean a cold start, where every millisecond of warm-up would be added.
        if (stdin.available() == 0) {
            warmUp();
        }
        out.frame(BOOTED, new byte[0]);
        String header;
        try {
            header = readLine(stdin);
        } catch (EOFException e) {
            // The parent ended (or dropped this standby) before giving orders: nothing to report.
            Runtime.getRuntime().halt(EXIT_PARENT_GONE);
            return;
        }
        if (!"jcn-child 3".equals(header)) {
            System.err.println("jcn.process.ChildMain is started by ChildProcess and ProcessPool, not by hand.");
            System.err.flush();
            Runtime.getRuntime().halt(2);
        }
        System.setProperty("jcn.child.name", readLine(stdin));
        String role = readLine(stdin);
        long parentPid = Long.parseLong(readLine(stdin));
        Hub.learnSecrets(readLine(stdin));
        String allowed = readLine(stdin);
        if (!allowed.isEmpty()) {
            AllowList.allowAll(List.of(allowed.split("\t")));
        }
        ChildCode.setCodePath(readLine(stdin));
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));

        AtomicBoolean ending = new AtomicBoolean();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> ending.set(true)));
        // When the parent dies, however it dies, this process is handed to another parent.
        Thread watch = new Thread(() -> {
            while (true) {
                try {
                    Thread.sleep(WATCH_MILLIS);
                } catch (InterruptedException e) {
                    return;
                }
                long now = ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L);
                if (now != parentPid) {
                    Runtime.getRuntime().halt(EXIT_PARENT_GONE);
                }
            }
        }, "jcn-parent-watch");
        watch.setDaemon(true);
        watch.start();
        out.frame(READY, new byte[0]);

        DataInputStream in = new DataInputStream(stdin);
        boolean failed = false;
        try {
            do {
                int type = in.read();
                if (type < 0 || type == STOP) {
                    if (type < 0) {
                        parentHungUp(ending);
                    }
                    break;
                }
                byte[] payload = Frames.readPayload(in, Frames.readFrameLength(in, "a task frame from the parent"));
                failed = !runOne(new Wire.Frame(type, payload), out);
            } while ("worker".equals(role));
        } finally {
            QueueClient.closeAll();
            System.out.flush();
            System.err.flush();
        }
        // Halt, as Python's children end with os._exit: System.exit would also look up a logger
        // service across every jar on the classpath, tens of milliseconds with a large jar.
        Runtime.getRuntime().halt(failed && "task".equals(role) ? 1 : 0);
    }

    /**
     * What a standby does while it waits for orders: the first task in a JVM pays for opening
     * the shaded jar (tens of thousands of entries) and for the JDK's lambda and serialisation
     * machinery, tens of milliseconds that a standby can spend before anyone waits for it. A
     * warm-up that fails costs nothing but its time; the task will meet the problem itself.
     */
    private static void warmUp() {
        try {
            // An open jar's directory is shared by every later loader that opens the same file.
            Path self = Path.of(ChildMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path shaded = self.resolveSibling(CellCode.SHADED_JAR);
            if (!shaded.equals(self) && Files.isRegularFile(shaded)) {
                openJar = new JarFile(shaded.toFile());
            }
            ProcessTask<Integer> probe = () -> 1;
            byte[] recipe = LambdaRecipe.encodeTask(probe, LambdaRecipe.of(probe), "the warm-up task");
            ProcessTask<?> back = LambdaRecipe.decodeTask(recipe, ChildMain.class.getClassLoader());
            Codec.encodeValue(back.call(), "the warm-up result");
        } catch (Exception | LinkageError e) {
            // warm-up only
        }
    }

    /**
     * Standard input ended without a stop order. The parent's {@code terminate()} sends SIGTERM
     * and then closes the pipe: give the signal a moment to end this JVM with its own exit code.
     */
    private static void parentHungUp(AtomicBoolean ending) {
        try {
            Thread.sleep(500);
        } catch (InterruptedException ignored) {
            // halt now
        }
        if (!ending.get()) {
            Runtime.getRuntime().halt(EXIT_PARENT_GONE);
        }
    }

    /** Runs one task frame and sends the answer; false if the task threw. */
    private static boolean runOne(Wire.Frame frame, Pipe.ChildSide out) throws IOException {
        DataInputStream in = frame.data();
        long taskId = in.readLong();
        Object result;
        try {
            if (in.readBoolean()) {
                Hub.learnSecrets(Frames.readString(in, "the hub secrets"));
            }
            ChildCode code = ChildCode.apply(in, frame.payload());
            Thread.currentThread().setContextClassLoader(code);
            result = Tasks.readTask(in, code).call();
        } catch (Throwable t) {
            settle();
            out.frame(FAILURE, withId(taskId, Codec.encodeThrowable(t)));
            return false;
        }
        settle();
        byte[] value;
        try {
            value = Codec.encodeValue(result, "the task's result");
        } catch (IllegalArgumentException e) {
            out.frame(FAILURE, withId(taskId, Codec.encodeThrowable(e)));
            return false;
        }
        out.frame(RESULT, withId(taskId, value));
        return true;
    }

    // What the task put in queues and printed goes out before its answer.
    private static void settle() {
        QueueClient.flushAll();
        System.out.flush();
        System.err.flush();
    }

    private static byte[] withId(long id, byte[] payload) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(payload.length + 8);
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeLong(id);
        out.write(payload);
        return bytes.toByteArray();
    }

    // Reads a line byte by byte so that nothing after the orders is taken from the frames.
    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(64);
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            line.write(b);
        }
        if (b < 0 && line.size() == 0) {
            throw new EOFException("no orders on standard input");
        }
        return line.toString(StandardCharsets.UTF_8);
    }
}
