package jcn.process;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The parent's end of a child's standard streams, which carry the task conversation: frames go
 * down the child's stdin; frames come back on its stdout, each behind a marker, between the
 * lines the child prints. Lines are copied to this JVM's output marked {@code [name]}.
 *
 * <p>Pipes rather than a socket because a child JVM that opens its first socket pays about
 * 40 ms to start the JDK's networking and random-number classes; a pipe is there from birth.
 */
final class Pipe {

    /** Written before each frame a child sends on stdout, at the start of a line. */
    static final byte[] MARK = {0, 0, 'j', 'c'};

    private static final Wire.Frame END = new Wire.Frame(-1, new byte[0]);

    /**
     * The longest line copied as one: a child that prints without newlines is copied in pieces
     * of this size rather than held in memory until it ends its line.
     */
    static final int MAX_LINE = 1 << 16;

    private volatile String name;
    private final Process process;
    private final java.util.concurrent.CountDownLatch booted = new java.util.concurrent.CountDownLatch(1);
    private final DataOutputStream toChild;
    private final BlockingQueue<Wire.Frame> frames = new LinkedBlockingQueue<>();
    final Thread reader;

    /** Receives a child's frames on the thread that reads its output. */
    interface Listener {
        /** A frame arrived. */
        void frame(Wire.Frame frame);

        /** The child's output ended: it has exited or is about to. */
        void end();
    }

    private volatile Listener listener;

    Pipe(String name, Process process) {
        this.name = name;
        this.process = process;
        this.toChild = new DataOutputStream(process.getOutputStream());
        this.reader = new Thread(() -> split(process.getInputStream()), "jcn-output-" + name);
        this.reader.setDaemon(true);
        this.reader.start();
    }

    /**
     * Hands frames to {@code listener} from now on, frames already received first, instead of
     * keeping them for {@link #receive(long)}: a pool answers on this thread and saves a hand-over.
     */
    void listen(Listener listener) {
        synchronized (frames) {
            this.listener = listener;
            Wire.Frame f;
            while ((f = frames.poll()) != null) {
                if (f == END) {
                    listener.end();
                } else {
                    listener.frame(f);
                }
            }
        }
    }

    /** The name the child's lines are marked with. */
    String name() {
        return name;
    }

    /** Marks the child's lines with {@code name} from now on: a standby JVM gets its name when it is taken. */
    void rename(String name) {
        this.name = name;
        reader.setName("jcn-output-" + name);
    }

    /**
     * Waits at most {@code nanos} for the child JVM to say it has booted and waits for its
     * orders; true if it has. Also true once its output has ended (it will not boot any further).
     */
    boolean awaitBooted(long nanos) throws InterruptedException {
        return booted.await(nanos, TimeUnit.NANOSECONDS);
    }

    private void deliver(Wire.Frame frame) {
        if (frame.type() == ChildMain.BOOTED && booted.getCount() > 0) {
            // The child's first word, between this pipe and the child's start-up, not part of any task.
            booted.countDown();
            return;
        }
        booted.countDown();
        Listener l = listener;
        if (l == null) {
            synchronized (frames) {
                l = listener;
                if (l == null) {
                    frames.add(frame);
                    return;
                }
            }
        }
        if (frame == END) {
            l.end();
        } else {
            l.frame(frame);
        }
    }

    /** Writes text lines (the bootstrap) down the child's stdin. */
    synchronized void sendText(String text) throws IOException {
        toChild.write(text.getBytes(StandardCharsets.UTF_8));
        toChild.flush();
    }

    /** Sends one frame down the child's stdin. */
    synchronized void send(int type, byte[] payload) throws IOException {
        toChild.writeByte(type);
        toChild.writeInt(payload.length);
        toChild.write(payload);
        toChild.flush();
    }

    /** The next frame from the child, or {@code null} after {@code nanos}; {@link EOFException} once its stdout has ended. */
    Wire.Frame receive(long nanos) throws IOException, InterruptedException {
        Wire.Frame frame = frames.poll(nanos, TimeUnit.NANOSECONDS);
        if (frame == END) {
            frames.add(END);
            throw new EOFException(name + " closed its output");
        }
        return frame;
    }

    private void split(InputStream raw) {
        BufferedInputStream in = new BufferedInputStream(raw, 1 << 16);
        DataInputStream data = new DataInputStream(in);
        byte[] head = new byte[MARK.length];
        ByteArrayOutputStream line = new ByteArrayOutputStream(128);
        boolean lineStart = true;
        try {
            while (true) {
                // A mark counts only at the start of a line, where the child side writes it.
                if (lineStart) {
                    in.mark(MARK.length);
                    int got = in.readNBytes(head, 0, MARK.length);
                    if (got == MARK.length && Arrays.equals(head, MARK)) {
                        int type = data.readUnsignedByte();
                        byte[] payload = Frames.readPayload(data, Frames.readFrameLength(data, "a frame on stdout"));
                        deliver(new Wire.Frame(type, payload));
                        continue;
                    }
                    in.reset();
                }
                line.reset();
                int b = 0;
                while (line.size() < MAX_LINE) {
                    b = in.read();
                    if (b < 0 || b == '\n') {
                        break;
                    }
                    line.write(b);
                }
                // -1: output ended; a newline: the next byte starts a line; else the line was cut at MAX_LINE.
                lineStart = b == '\n';
                if (b < 0 && line.size() == 0) {
                    break;
                }
                PrintStream target = System.out;
                target.println("[" + name + "] " + line.toString(StandardCharsets.UTF_8));
                if (b < 0) {
                    break;
                }
            }
        } catch (Frames.CorruptFrameException e) {
            // Whatever wrote it (the child, or a grandchild that inherited its stdout) has broken
            // the conversation; nothing after it can be trusted, so this child ends here, and only it.
            System.err.println("[" + name + "] sent a corrupt frame (" + e.getMessage() + "); stopping it");
            process.destroyForcibly();
        } catch (IOException e) {
            // the child is gone; what it had not written is lost with it
        } finally {
            deliver(END);
        }
    }
    /** The child's side: frames written on stdout between whole lines of its own printing. */
    static final class ChildSide extends OutputStream {
        private final OutputStream out;
        private boolean lineStart = true;

        ChildSide(OutputStream out) {
            this.out = out;
        }

        @Override
        public synchronized void write(int b) throws IOException {
            out.write(b);
            lineStart = b == '\n';
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            if (len > 0) {
                lineStart = b[off + len - 1] == '\n';
            }
        }

        @Override
        public synchronized void flush() throws IOException {
            out.flush();
        }

        synchronized void frame(int type, byte[] payload) throws IOException {
            if (!lineStart) {
                out.write('\n');
            }
            out.write(MARK);
            out.write(type);
            out.write(payload.length >>> 24);
            out.write(payload.length >>> 16);
            out.write(payload.length >>> 8);
            out.write(payload.length);
            out.write(payload);
            out.flush();
            lineStart = true;
        }
    }
}
