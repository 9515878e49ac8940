package jcn.process;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
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
 * ({@code CellCode.Shipment}, {@code ChildCode}, {@code LambdaRecipe}, {@code Codec}) is
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
            out.writeInt(prepared.codeClasses().size());
            for (String name : prepared.codeClasses()) {
                Frames.writeString(out, name);
            }
            out.writeInt(prepared.bytes().length);
            out.write(prepared.bytes());
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
            ByteArrayInputStream bytes = new ByteArrayInputStream(packed);
            DataInputStream in = new DataInputStream(bytes);
            ChildCode code = applyInOrder(bytes, in);
            int allowed = Frames.readCount(in, 4, "allowed classes");
            for (int i = 0; i < allowed; i++) {
                AllowList.allowClass(Frames.readString(in, "an allowed class"));
            }
            byte[] taskBytes = Frames.readBytes(in, "the task");
            Thread me = Thread.currentThread();
            ClassLoader before = me.getContextClassLoader();
            me.setContextClassLoader(code);
            try {
                ProcessTask<?> task = LambdaRecipe.isRecipe(taskBytes) ? LambdaRecipe.decodeTask(taskBytes, code)
                        : (ProcessTask<?>) Codec.deserialize(taskBytes, code, false);
                result = task.call();
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

    private static ChildCode applyInOrder(ByteArrayInputStream bytes, DataInputStream in)
            throws IOException, ClassNotFoundException, InterruptedException {
        long stream = in.readLong();
        long seq = in.readLong();
        bytes.mark(0);
        List<String> owners = variableOwners(in);
        bytes.reset();
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
            ChildCode code = ChildCode.apply(in);
            // ChildCode sets a variable's copy right after it defines the class that holds it, and
            // another thread may use the class in between: a pool worker runs one task at a time, a
            // member several. Loading the holders here, before any task that reads them can run,
            // closes that gap.
            for (String owner : owners) {
                Class.forName(owner, false, code);
            }
            APPLIED.put(stream, seq);
            ORDER.notifyAll();
            return code;
        }
    }

    // The classes whose variables a delta of CellCode.Shipment carries (its layout: a reset flag,
    // the classes as name and bytes, then the variables as class, field and value).
    private static List<String> variableOwners(DataInputStream in) throws IOException {
        in.readBoolean();
        int classes = Frames.readCount(in, 8, "cell classes");
        for (int i = 0; i < classes; i++) {
            Frames.readString(in, "a cell class's name");
            Frames.readBytes(in, "a cell class's bytecode");
        }
        int vars = Frames.readCount(in, 12, "notebook variables");
        List<String> owners = new ArrayList<>();
        for (int i = 0; i < vars; i++) {
            String owner = Frames.readString(in, "a variable's class");
            Frames.readString(in, "a variable's name");
            Frames.readBytes(in, "a variable's value");
            if (!owners.contains(owner)) {
                owners.add(owner);
            }
        }
        return owners;
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
