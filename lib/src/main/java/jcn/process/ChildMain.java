package jcn.process;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The program every child JVM of this library runs. It reads its orders from standard input
 * (the parent's hub, the secret, the allow-list, its role), connects back, then runs one task
 * ({@code task} role) or tasks until the parent hangs up ({@code worker} role).
 *
 * <p>It then keeps reading standard input: the parent holds the other end, so end of input
 * means the parent is gone, and the child halts at once rather than live on as an orphan.
 * Not meant to be started by hand.
 */
public final class ChildMain {

    static final int TASK = 1;
    static final int RESULT = 2;
    static final int FAILURE = 3;

    private static final int EXIT_PARENT_GONE = 86;

    private ChildMain() {
    }

    /** Entry point of a child JVM; see the class description. */
    public static void main(String[] args) throws Exception {
        InputStream stdin = System.in;
        if (!"jcn-child 1".equals(readLine(stdin))) {
            System.err.println("jcn.process.ChildMain is started by ChildProcess and ProcessPool, not by hand.");
            System.exit(2);
        }
        String name = readLine(stdin);
        String role = readLine(stdin);
        long endpoint = Long.parseLong(readLine(stdin));
        String hub = readLine(stdin);
        Hub.learnSecrets(readLine(stdin));
        String allowed = readLine(stdin);
        if (!allowed.isEmpty()) {
            AllowList.allowAll(java.util.List.of(allowed.split("\t")));
        }
        java.util.Optional<ProcessHandle> parent = ProcessHandle.current().parent();
        java.util.concurrent.atomic.AtomicBoolean ending = new java.util.concurrent.atomic.AtomicBoolean();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> ending.set(true)));
        Thread watchdog = new Thread(() -> {
            try {
                while (stdin.read() >= 0) {
                    // nothing is sent after the orders; this only waits for the end
                }
            } catch (IOException ignored) {
                // a broken pipe means the same as end of input
            }
            // The parent's terminate() sends SIGTERM and then closes this pipe: give the signal
            // a moment to end the JVM with its own exit code. A dead parent needs no grace.
            if (parent.isPresent() && parent.get().isAlive()) {
                try {
                    Thread.sleep(500);
                } catch (InterruptedException ignored) {
                    // halt now
                }
            }
            if (!ending.get()) {
                Runtime.getRuntime().halt(EXIT_PARENT_GONE);
            }
        }, "jcn-parent-watch");
        watchdog.setDaemon(true);
        watchdog.start();

        Wire wire;
        try {
            wire = Hub.connect(hub, endpoint);
        } catch (IOException e) {
            System.err.println("jcn: " + name + " could not reach its parent at " + Path.of(hub) + ": " + e.getMessage());
            System.exit(2);
            return;
        }
        boolean failed = false;
        try {
            do {
                Wire.Frame frame;
                try {
                    frame = wire.receive();
                } catch (EOFException e) {
                    break;
                }
                if (frame.type() != TASK) {
                    break;
                }
                failed = !runOne(frame, wire);
            } while ("worker".equals(role));
        } finally {
            QueueClient.closeAll();
            System.out.flush();
            System.err.flush();
            wire.close();
        }
        System.exit(failed && "task".equals(role) ? 1 : 0);
    }

    /** Runs one task frame and sends the answer; false if the task threw. */
    private static boolean runOne(Wire.Frame frame, Wire wire) throws IOException {
        DataInputStream in = frame.data();
        long taskId = in.readLong();
        Object result;
        ChildCode code;
        try {
            code = ChildCode.apply(in);
            Thread.currentThread().setContextClassLoader(code);
            byte[] taskBytes = new byte[in.readInt()];
            in.readFully(taskBytes);
            ProcessTask<?> task = (ProcessTask<?>) Codec.deserialize(taskBytes, code, false);
            result = task.call();
        } catch (Throwable t) {
            QueueClient.flushAll();
            System.out.flush();
            System.err.flush();
            wire.send(FAILURE, withId(taskId, Codec.encodeThrowable(t)));
            return false;
        }
        QueueClient.flushAll();
        System.out.flush();
        System.err.flush();
        byte[] value;
        try {
            value = Codec.serialize(result, "the task's result");
        } catch (IllegalArgumentException e) {
            wire.send(FAILURE, withId(taskId, Codec.encodeThrowable(e)));
            return false;
        }
        wire.send(RESULT, withId(taskId, value));
        return true;
    }

    private static byte[] withId(long id, byte[] payload) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(payload.length + 8);
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeLong(id);
        out.write(payload);
        return bytes.toByteArray();
    }

    // Reads a line byte by byte so that nothing after the orders is taken from the watchdog.
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
