package jcn.process;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.spi.AbstractInterruptibleChannel;

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

    /**
     * How often the pipe's own thread looks for output while no one reads it (an idle pool
     * worker that a caller reads directly): a line a worker prints between tasks is copied
     * within this, and its death is seen at once (see {@link #awaitTurn}).
     */
    static final long IDLE_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    /** Who reads the child's output now. Only the holder of the turn reads. */
    enum Turn {
        /** The pipe's own thread. */
        THREAD,
        /** A caller waiting for its task's answer reads it itself (see {@link #readAsCaller}). */
        CALLER,
        /** No one: the pool worker is idle; the pipe's thread polls for output. */
        NOBODY,
        /** The output has ended and {@link Listener#end()} was called. */
        ENDED
    }

    private volatile String name;
    private final Process process;
    private final java.util.concurrent.CountDownLatch booted = new java.util.concurrent.CountDownLatch(1);
    private final DataOutputStream toChild;
    private final BlockingQueue<Wire.Frame> frames = new LinkedBlockingQueue<>();
    private final AtomicReference<Turn> turn = new AtomicReference<>(Turn.THREAD);
    final Thread reader;

    // The child's stdout and the parse state: used only by the holder of the turn.
    private final InputStream raw;
    private final Source source;
    private final BufferedInputStream in;
    private final DataInputStream data;
    private final byte[] head = new byte[MARK.length];
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(128);
    private boolean lineStart = true;

    /** Receives a child's frames on the thread that reads its output. */
    interface Listener {
        /** A frame arrived. */
        void frame(Wire.Frame frame);

        /** The child's output ended: it has exited or is about to. */
        void end();

        /**
         * True when no answer is awaited, so that the output may be left unread until a caller
         * reads it itself. The pipe asks before it gives up its turn, and again after, taking
         * the turn back if the answer has become false. Never asked of a pipe without a listener.
         */
        default boolean idle() {
            return false;
        }
    }

    private volatile Listener listener;

    Pipe(String name, Process process) {
        this.name = name;
        this.process = process;
        this.toChild = new DataOutputStream(process.getOutputStream());
        this.raw = process.getInputStream();
        this.source = new Source(raw);
        this.in = new BufferedInputStream(source, 1 << 16);
        this.data = new DataInputStream(in);
        this.reader = new Thread(this::run, "jcn-output-" + name);
        this.reader.setDaemon(true);
        this.reader.start();
    }

    /**
     * Hands frames to {@code listener} from now on, frames already received first, instead of
     * keeping them for {@link #receive(long)}: a pool answers on this thread and saves a hand-over.
     */
    void listen(Listener listener) {
        // Only a listener lets the output go unread (see Listener.idle); a child that dies while
        // no one reads is then seen at once, not at the next poll.
        process.onExit().thenRun(() -> LockSupport.unpark(reader));
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

    /**
     * Takes the turn to read from a pipe no one reads (an idle worker's): true if the caller now
     * holds it and must call {@link #readAsCaller}. False if the pipe's thread or another
     * caller reads, or the output has ended.
     */
    boolean takeTurn() {
        return turn.compareAndSet(Turn.NOBODY, Turn.CALLER);
    }

    /** Who reads now; for tests. */
    Turn turn() {
        return turn.get();
    }

    /**
     * Makes sure someone reads the output after a task was sent without {@link #takeTurn}: if no
     * one does, the pipe's thread does from now on.
     */
    void handToThread() {
        if (turn.compareAndSet(Turn.NOBODY, Turn.THREAD)) {
            LockSupport.unpark(reader);
        }
    }

    /**
     * Reads the child's output on the calling thread, which holds the turn, delivering frames
     * and copying lines as the pipe's thread would, until {@code done} is true or the output
     * ends; then gives the turn up. A caller interrupted while it waits for output is not left
     * blocked in the read: {@code onInterrupt} runs at once on the interrupting thread (it kills
     * the child, so the read ends), the reading goes on without the interrupt until an item is
     * whole, and the return value is true: the caller then throws {@link InterruptedException}.
     */
    boolean readAsCaller(java.util.function.BooleanSupplier done, Runnable onInterrupt) {
        Guard guard = new Guard(onInterrupt);
        source.guard = guard;
        boolean ended = false;
        try {
            while (!done.getAsBoolean()) {
                if (!readItem()) {
                    ended = true;
                    break;
                }
            }
        } finally {
            source.guard = null;
            // However this ends, the turn goes back: to no one, or to the pipe's thread if an answer is awaited.
            if (!ended) {
                release();
            }
        }
        return guard.interrupted;
    }

    // The pipe's own thread: reads while it holds the turn, gives it up when the listener is idle.
    private void run() {
        while (true) {
            if (turn.get() != Turn.THREAD && !awaitTurn()) {
                return;
            }
            if (!readItem()) {
                return;
            }
            Listener l = listener;
            if (l != null && l.idle() && bufferedIsEmpty()) {
                release();
            }
        }
    }

    /**
     * Gives up the turn, then looks again: an answer awaited since (a task sent by a caller that
     * saw the turn held) makes the pipe's thread read after all. Both sides change the turn
     * first and look second, so one of them always sees the other.
     */
    private void release() {
        if (!turn.compareAndSet(Turn.THREAD, Turn.NOBODY) && !turn.compareAndSet(Turn.CALLER, Turn.NOBODY)) {
            return;
        }
        Listener l = listener;
        if (l == null || !l.idle()) {
            handToThread();
        }
    }

    // Waits until this thread has the turn (true) or the output has ended (false).
    private boolean awaitTurn() {
        while (true) {
            Turn t = turn.get();
            if (t == Turn.THREAD) {
                return true;
            }
            if (t == Turn.ENDED) {
                return false;
            }
            if (t == Turn.NOBODY && (!process.isAlive() || rawAvailable() > 0)
                    && turn.compareAndSet(Turn.NOBODY, Turn.THREAD)) {
                return true;
            }
            LockSupport.parkNanos(this, IDLE_POLL_NANOS);
        }
    }

    private int rawAvailable() {
        try {
            return raw.available();
        } catch (IOException e) {
            return 1; // let the read find out what is wrong
        }
    }

    private boolean bufferedIsEmpty() {
        try {
            return in.available() == 0;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Reads one frame or one line and hands it on; false once the output has ended, after
     * {@link Listener#end()} was called. Only the holder of the turn calls this.
     */
    private boolean readItem() {
        try {
            // A mark counts only at the start of a line, where the child side writes it.
            if (lineStart) {
                in.mark(MARK.length);
                int got = in.readNBytes(head, 0, MARK.length);
                if (got == MARK.length && Arrays.equals(head, MARK)) {
                    int type = data.readUnsignedByte();
                    byte[] payload = Frames.readPayload(data, Frames.readFrameLength(data, "a frame on stdout"));
                    deliver(new Wire.Frame(type, payload));
                    return true;
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
                return ended();
            }
            PrintStream target = System.out;
            target.println("[" + name + "] " + line.toString(StandardCharsets.UTF_8));
            return b >= 0 || ended();
        } catch (Frames.CorruptFrameException e) {
            // Whatever wrote it (the child, or a grandchild that inherited its stdout) has broken
            // the conversation; nothing after it can be trusted, so this child ends here, and only it.
            System.err.println("[" + name + "] sent a corrupt frame (" + e.getMessage() + "); stopping it");
            process.destroyForcibly();
            return ended();
        } catch (IOException e) {
            // the child is gone; what it had not written is lost with it
            return ended();
        } catch (RuntimeException e) {
            // A fault in handing an item on: the conversation cannot go on, but no caller may wait for
            // ever on a pipe no one reads, so this child ends here, as for a corrupt frame.
            System.err.println("[" + name + "] its output could not be handled (" + e + "); stopping it");
            process.destroyForcibly();
            return ended();
        }
    }

    private boolean ended() {
        turn.set(Turn.ENDED);
        LockSupport.unpark(reader);
        deliver(END);
        return false;
    }

    /**
     * The child's stdout as read by the turn's holder. While a caller reads, each blocking read
     * is made interruptible through a {@link Guard}, which the JDK closes when the thread is
     * interrupted (the hook every interruptible channel uses).
     */
    private static final class Source extends FilterInputStream {
        volatile Guard guard;

        Source(InputStream in) {
            super(in);
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            Guard g = guard;
            return g == null ? in.read(b, off, len) : g.read(in, b, off, len);
        }
    }

    /** Makes one caller's reads interruptible; see {@link #readAsCaller}. */
    private static final class Guard extends AbstractInterruptibleChannel {
        private final Runnable onInterrupt;
        boolean interrupted;

        Guard(Runnable onInterrupt) {
            this.onInterrupt = onInterrupt;
        }

        int read(InputStream in, byte[] b, int off, int len) throws IOException {
            if (interrupted) {
                return in.read(b, off, len);
            }
            int n = -1;
            boolean completed = false;
            try {
                begin();
                n = in.read(b, off, len);
                completed = true;
            } finally {
                try {
                    end(completed);
                } catch (AsynchronousCloseException e) {
                    // Interrupted: onInterrupt has run. The flag is cleared so that the rest of
                    // the item and the end of a killed child are handled as the pipe's thread would.
                    interrupted = true;
                    Thread.interrupted();
                }
            }
            return n;
        }

        @Override
        protected void implCloseChannel() {
            onInterrupt.run();
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
