package jcn.process;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.SerializedLambda;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/** The parent's half of the task conversation: building a task frame and reading the answer. */
final class Tasks {

    private Tasks() {
    }

    /**
     * A task ready to go: its serialised form, where its code comes from, and where that code
     * starts ({@code roots}: the lambda's class and the classes of the values it captured, or
     * {@code null} when the task is an object whose code cannot be told, which sends every
     * notebook variable).
     */
    record Prepared(byte[] bytes, CellCode code, List<String> codeClasses, List<String> roots) {

        /**
         * Serialises {@code task}; {@code codeOf} is the class whose loader has the code, and
         * {@code lambda} the task itself or the function a map applies.
         */
        static Prepared of(ProcessTask<?> task, Class<?> codeOf, Object lambda, String what) {
            CellCode code = CellCode.of(codeOf);
            AtomicReference<Prepared> same = task == lambda ? STATELESS.get(lambda.getClass()) : null;
            Prepared made = same == null ? null : same.get();
            if (made != null) {
                return new Prepared(made.bytes, code, made.codeClasses, made.roots);
            }
            SerializedLambda recipe = LambdaRecipe.of(lambda);
            if (recipe == null) {
                return new Prepared(Codec.serialize(task, what), code, List.of(), null);
            }
            String capturing = recipe.getCapturingClass().replace('/', '.');
            List<String> roots = new java.util.ArrayList<>(List.of(capturing));
            for (int i = 0; i < recipe.getCapturedArgCount(); i++) {
                Object arg = recipe.getCapturedArg(i);
                if (arg != null) {
                    roots.add(arg.getClass().getName());
                }
            }
            // The class holding a lambda's code: the child may load it, since the parent chose to send that code.
            Prepared prepared = new Prepared(LambdaRecipe.encodeTask(task, recipe, what), code, List.of(capturing),
                    List.copyOf(roots));
            if (same != null && recipe.getCapturedArgCount() == 0) {
                same.set(new Prepared(prepared.bytes, null, prepared.codeClasses, prepared.roots));
            }
            return prepared;
        }

        /**
         * Per lambda class, its task once made if the lambda captures nothing. Such a lambda
         * holds no state, so every instance gives the same bytes, and a loop that submits it
         * again (a pool's {@code apply} in a loop) skips the reflective recipe and its encoding;
         * that path is also code the JIT no longer has to compile while the loop warms up.
         */
        private static final ClassValue<AtomicReference<Prepared>> STATELESS = new ClassValue<>() {
            @Override
            protected AtomicReference<Prepared> computeValue(Class<?> type) {
                return new AtomicReference<>();
            }
        };
    }

    static byte[] frame(long id, Prepared task, CellCode.Shipment shipment) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(task.bytes().length + 64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeLong(id);
            // Queues and locks made after the child started, in any cell, need their hub's secret there.
            String secrets = shipment.secretsIfNew();
            out.writeBoolean(secrets != null);
            if (secrets != null) {
                Frames.writeString(out, secrets);
            }
            shipment.writeDelta(task.code(), task.roots(), out);
            writeTask(task, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Writes what follows the delta of classes and variables: the classes the task's code is in, then the task. */
    static void writeTask(Prepared task, DataOutputStream out) throws IOException {
        out.writeInt(task.codeClasses().size());
        for (String name : task.codeClasses()) {
            Frames.writeString(out, name);
        }
        out.writeInt(task.bytes().length);
        out.write(task.bytes());
    }

    /**
     * Reads what {@link #writeTask} wrote, once the delta has been applied to {@code code}: the
     * task's classes join the allow-list, and the task is decoded with {@code code}.
     */
    static ProcessTask<?> readTask(DataInputStream in, ClassLoader code) throws IOException, ClassNotFoundException {
        int allowed = Frames.readCount(in, 4, "allowed classes");
        for (int i = 0; i < allowed; i++) {
            AllowList.allowClass(Frames.readString(in, "an allowed class"));
        }
        byte[] taskBytes = Frames.readBytes(in, "the task");
        return LambdaRecipe.isRecipe(taskBytes) ? LambdaRecipe.decodeTask(taskBytes, code)
                : (ProcessTask<?>) Codec.deserialize(taskBytes, code, false);
    }

    /** Turns a RESULT or FAILURE frame into the value, or throws what the child threw. */
    static Object answer(Wire.Frame frame, String child, ClassLoader loader) {
        if (frame.payload().length < 8) {
            throw new ChildFailedException(child, "it answered with a corrupt frame of " + frame.payload().length
                    + " bytes, too short to name its task", null);
        }
        byte[] payload = Arrays.copyOfRange(frame.payload(), 8, frame.payload().length);
        try {
            if (frame.type() == ChildMain.RESULT) {
                return Codec.decodeValue(payload, loader);
            }
            if (frame.type() == ChildMain.FAILURE) {
                ChildFailedException.RemoteThrowable remote = Codec.decodeThrowable(payload);
                throw new ChildFailedException(child, String.valueOf(remote), remote);
            }
        } catch (IOException | ClassNotFoundException e) {
            throw new ChildFailedException(child, "its result could not be read here: " + e, null);
        }
        throw new ChildFailedException(child, "it answered with an unknown frame type " + frame.type(), null);
    }
}
