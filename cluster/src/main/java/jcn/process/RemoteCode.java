package jcn.process;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The helper jar's task shipping, for JVMs that receive tasks by some other road than the
 * helper jar's pipes: a task written in a notebook cell is packed with the cell classes and
 * notebook variables the receiving JVM lacks, exactly as {@link ProcessPool} sends them to its
 * workers, and the receiving JVM unpacks and runs it.
 *
 * <p>It lives in the cluster jar but in this package because the shipping it reuses
 * ({@code CellCode.Shipment}, {@code ChildCode}, {@code Tasks}, {@code Codec}) is
 * package-private in the helper jar. That works only where both jars share one class loader:
 * the kernel's, where {@code %classpath} adds both, and a member JVM's application class loader,
 * where {@code jcn.cluster.MemberJar} puts this jar. Used by {@code jcn.cluster.Cluster}; not
 * meant to be called from notebooks.
 */
public final class RemoteCode {

    private static final byte RESULT = 'R';
    private static final byte FAILURE = 'F';
    private static final long ORDER_WAIT_SECONDS = 30;

    // Receiving side: per sender's stream, the last sequence number whose code was applied.
    private static final Object ORDER = new Object();
    private static final Map<Long, Long> APPLIED = new HashMap<>();

    private RemoteCode() {
    }

    /**
     * One JVM that receives tasks from this one, and what it has been sent: each class travels
     * to it once, each variable when its value changed. Its packs must reach it all and be
     * unpacked in the order they were made; the receiver waits for a missing one (see
     * {@link #run}). If a pack may have been lost, use a new {@code Receiver}: it sends
     * everything again.
     */
    public static final class Receiver {
        private final CellCode.Shipment shipment = new CellCode.Shipment();
        private final long stream = ThreadLocalRandom.current().nextLong();
        private long next;
    }

    /** A packed task and the loader its answer must be read in. */
    public record Packed(byte[] bytes, ClassLoader loader) {
    }

    /**
     * Packs {@code task} for {@code to}. Blocks only while another thread packs for the same
     * receiver.
     *
     * @throws IllegalArgumentException if the task or what it captures cannot be serialised
     */
    public static Packed pack(ProcessTask<?> task, Receiver to) {
        Tasks.Prepared prepared = Tasks.Prepared.of(task, task.getClass(), task, "a task for a cluster member");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(prepared.bytes().length + 256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            // The delta and its sequence number are taken together: deltas are only valid in order.
            synchronized (to) {
                out.writeLong(to.stream);
                out.writeLong(to.next++);
                to.shipment.writeDelta(prepared.code(), prepared.roots(), out);
            }
            Tasks.writeTask(prepared, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Packed(bytes.toByteArray(), prepared.code().loader());
    }

    /**
     * Runs on the receiving JVM: applies the pack's classes and variables (after those of every
     * earlier pack of the same receiver, waiting at most 30 s for a missing one), runs the task
     * on the calling thread, and returns its answer for {@link #unpack}. Never throws for what
     * the task does: a task that throws, or code that cannot be read, becomes a failure answer.
     */
    public static byte[] run(byte[] packed) {
        Object result;
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(packed));
            ChildCode code = applyInOrder(in, packed);
            Thread me = Thread.currentThread();
            ClassLoader before = me.getContextClassLoader();
            me.setContextClassLoader(code);
            try {
                result = Tasks.readTask(in, code).call();
            } finally {
                me.setContextClassLoader(before);
            }
        } catch (Throwable t) {
            return tagged(FAILURE, Codec.encodeThrowable(t));
        }
        try {
            return tagged(RESULT, Codec.encodeValue(result, "the task's result"));
        } catch (IllegalArgumentException e) {
            return tagged(FAILURE, Codec.encodeThrowable(e));
        }
    }

    private static ChildCode applyInOrder(DataInputStream in, byte[] packed) throws IOException, InterruptedException {
        long stream = in.readLong();
        long seq = in.readLong();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(ORDER_WAIT_SECONDS);
        synchronized (ORDER) {
            // Two tasks sent back to back may start in either order on the member's executor
            // threads, but the second one's delta assumes the first one's classes are there.
            while (APPLIED.getOrDefault(stream, -1L) != seq - 1) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException("task " + seq + " of its sender waited " + ORDER_WAIT_SECONDS
                            + " s for the code of task " + (seq - 1) + ", which never arrived here; the sender must start"
                            + " a new RemoteCode.Receiver for this JVM");
                }
                TimeUnit.NANOSECONDS.timedWait(ORDER, left);
            }
            // ChildCode.apply sets every variable copy before it returns, so the member's other
            // threads, which may run this sender's tasks at once, never see a default.
            ChildCode code = ChildCode.apply(in, packed);
            APPLIED.put(stream, seq);
            ORDER.notifyAll();
            return code;
        }
    }

    /**
     * Reads an answer of {@link #run} in the sending JVM: the task's value, in {@code loader}
     * (the {@link Packed#loader()} of its pack).
     *
     * @throws ChildFailedException if the task threw there, with its remote stack trace as the
     *         cause, or its value could not be read here; {@code where} names the JVM in the message
     */
    public static Object unpack(byte[] answer, ClassLoader loader, String where) {
        if (answer == null || answer.length == 0) {
            throw new ChildFailedException(where, "it sent an empty answer", null);
        }
        byte[] payload = java.util.Arrays.copyOfRange(answer, 1, answer.length);
        try {
            if (answer[0] == RESULT) {
                return Codec.decodeValue(payload, loader);
            }
            if (answer[0] == FAILURE) {
                ChildFailedException.RemoteThrowable remote = Codec.decodeThrowable(payload);
                throw new ChildFailedException(where, String.valueOf(remote), remote);
            }
        } catch (IOException | ClassNotFoundException e) {
            throw new ChildFailedException(where, "its result could not be read here: " + e, null);
        }
        throw new ChildFailedException(where, "it sent an answer of unknown kind " + answer[0], null);
    }

    private static byte[] tagged(byte tag, byte[] payload) {
        byte[] all = new byte[payload.length + 1];
        all[0] = tag;
        System.arraycopy(payload, 0, all, 1, payload.length);
        return all;
    }
}
