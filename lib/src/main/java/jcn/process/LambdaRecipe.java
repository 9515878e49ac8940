package jcn.process;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.UncheckedIOException;
import java.lang.invoke.SerializedLambda;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Arrays;

/**
 * A serialisable lambda written as the recipe the JDK rebuilds it from (the fields of its
 * {@link SerializedLambda}) rather than through {@code ObjectOutputStream}.
 *
 * <p>Why: object streams describe every class they carry and run their readers reflectively,
 * which makes a pooled task of a few bytes cost hundreds of microseconds until the JIT has
 * compiled them. A recipe is a few strings; captured values that are numbers or strings travel
 * in the compact item form, anything else through the filtered object stream as before. The
 * child rebuilds the lambda by calling the capturing class's own {@code $deserializeLambda$},
 * exactly as a {@code SerializedLambda} read from a stream would, and only for a class on the
 * {@link AllowList}.
 */
final class LambdaRecipe {

    /** First byte of a task in recipe form; a Java object stream starts with 0xAC instead. */
    static final byte LAMBDA = 'L';
    /** First byte of one {@link ProcessPool#map} step: a recipe for the function, then the input. */
    static final byte APPLY = 'A';

    private static final ClassValue<Method> WRITE_REPLACE = new ClassValue<>() {
        @Override
        protected Method computeValue(Class<?> type) {
            if (!type.isSynthetic() && !type.isHidden()) {
                return null;
            }
            try {
                Method m = type.getDeclaredMethod("writeReplace");
                m.setAccessible(true);
                return m;
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null;
            }
        }
    };

    private static final ClassValue<Method> DESERIALIZE = new ClassValue<>() {
        @Override
        protected Method computeValue(Class<?> type) {
            try {
                Method m = type.getDeclaredMethod("$deserializeLambda$", SerializedLambda.class);
                m.setAccessible(true);
                return m;
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null;
            }
        }
    };

    private LambdaRecipe() {
    }

    /** The recipe of a serialisable lambda, or {@code null} for any other object. */
    static SerializedLambda of(Object lambda) {
        Method writeReplace = lambda == null ? null : WRITE_REPLACE.get(lambda.getClass());
        if (writeReplace == null) {
            return null;
        }
        try {
            return writeReplace.invoke(lambda) instanceof SerializedLambda s ? s : null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The task in recipe form, given the recipe of its lambda: the task itself, or the function
     * of a map step. {@code what} names the task in error messages.
     */
    static byte[] encodeTask(ProcessTask<?> task, SerializedLambda recipe, String what) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            if (task instanceof ProcessPool.Apply<?, ?> apply) {
                out.writeByte(APPLY);
                write(recipe, out, what);
                writeValue(apply.input(), out, what);
            } else {
                out.writeByte(LAMBDA);
                write(recipe, out, what);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Whether {@code bytes} hold a task in recipe form rather than an object stream. */
    static boolean isRecipe(byte[] bytes) {
        return bytes.length > 0 && (bytes[0] == LAMBDA || bytes[0] == APPLY);
    }

    /** Rebuilds a task written by {@link #encodeTask}, resolving classes in {@code loader}. */
    static ProcessTask<?> decodeTask(byte[] bytes, ClassLoader loader) throws IOException, ClassNotFoundException {
        Rebuilt last = lastRebuilt;
        if (last != null && last.loader == loader && Arrays.equals(last.bytes, bytes)) {
            return last.task;
        }
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
        byte kind = in.readByte();
        Recipe recipe = read(in, loader);
        Object lambda = recipe.rebuild();
        if (kind == LAMBDA && recipe.lambda().getCapturedArgCount() == 0) {
            // A lambda that captures nothing holds no state: the same recipe may give the same
            // object again, as the JDK itself does for such a lambda. A pool's loop of one task
            // then skips the strings, the class lookup and the reflective rebuild.
            lastRebuilt = new Rebuilt(loader, bytes, (ProcessTask<?>) lambda);
        }
        if (kind == APPLY) {
            @SuppressWarnings("unchecked")
            ProcessFunction<Object, Object> function = (ProcessFunction<Object, Object>) lambda;
            return new ProcessPool.Apply<>(function, readValue(in, loader));
        }
        return (ProcessTask<?>) lambda;
    }

    private static void write(SerializedLambda s, DataOutputStream out, String what) throws IOException {
        Frames.writeString(out, s.getCapturingClass());
        Frames.writeString(out, s.getFunctionalInterfaceClass());
        Frames.writeString(out, s.getFunctionalInterfaceMethodName());
        Frames.writeString(out, s.getFunctionalInterfaceMethodSignature());
        out.writeInt(s.getImplMethodKind());
        Frames.writeString(out, s.getImplClass());
        Frames.writeString(out, s.getImplMethodName());
        Frames.writeString(out, s.getImplMethodSignature());
        Frames.writeString(out, s.getInstantiatedMethodType());
        out.writeInt(s.getCapturedArgCount());
        for (int i = 0; i < s.getCapturedArgCount(); i++) {
            writeValue(s.getCapturedArg(i), out, what);
        }
    }

    /** The last task rebuilt from a recipe that captured nothing, and what it was rebuilt from. */
    private record Rebuilt(ClassLoader loader, byte[] bytes, ProcessTask<?> task) {
    }

    private static volatile Rebuilt lastRebuilt;

    /** A lambda's recipe as read, with the capturing class's method that rebuilds it. */
    private record Recipe(Method rebuilder, SerializedLambda lambda) {
        Object rebuild() throws InvalidClassException {
            String capturing = lambda.getCapturingClass().replace('/', '.');
            try {
                return rebuilder.invoke(null, lambda);
            } catch (InvocationTargetException e) {
                throw new InvalidClassException(capturing, "could not rebuild its lambda " + lambda.getImplMethodName()
                        + ": " + e.getCause());
            } catch (IllegalAccessException e) {
                throw new InvalidClassException(capturing, "could not rebuild its lambda " + lambda.getImplMethodName()
                        + ": " + e);
            }
        }
    }

    private static Recipe read(DataInputStream in, ClassLoader loader) throws IOException, ClassNotFoundException {
        String capturing = Frames.readString(in, "a lambda's capturing class").replace('/', '.');
        String fi = Frames.readString(in, "a lambda's interface");
        String fiName = Frames.readString(in, "a lambda's interface method");
        String fiSignature = Frames.readString(in, "a lambda's interface signature");
        int implKind = in.readInt();
        String implClass = Frames.readString(in, "a lambda's implementation class");
        String implName = Frames.readString(in, "a lambda's implementation method");
        String implSignature = Frames.readString(in, "a lambda's implementation signature");
        String instantiated = Frames.readString(in, "a lambda's instantiated type");
        // Each captured value is a length and at least its one-byte tag.
        Object[] captured = new Object[Frames.readCount(in, 5, "a lambda's captured values")];
        for (int i = 0; i < captured.length; i++) {
            captured[i] = readValue(in, loader);
        }
        if (!AllowList.allows(capturing)) {
            throw new InvalidClassException(capturing, "not on the allow-list, so no lambda of it was rebuilt");
        }
        Class<?> owner = Class.forName(capturing, false, loader);
        Method rebuild = DESERIALIZE.get(owner);
        if (rebuild == null) {
            throw new InvalidClassException(capturing, "declares no serialisable lambda");
        }
        return new Recipe(rebuild, new SerializedLambda(owner, fi, fiName, fiSignature, implKind, implClass, implName,
                implSignature, instantiated, captured));
    }

    private static void writeValue(Object value, DataOutputStream out, String what) throws IOException {
        byte[] item = Codec.encodeValue(value, what);
        out.writeInt(item.length);
        out.write(item);
    }

    private static Object readValue(DataInputStream in, ClassLoader loader) throws IOException, ClassNotFoundException {
        return Codec.decodeValue(Frames.readBytes(in, "a lambda's captured value"), loader);
    }
}
