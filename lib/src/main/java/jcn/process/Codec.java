package jcn.process;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InvalidClassException;
import java.io.NotSerializableException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * How objects cross between JVMs: Java serialisation behind the {@link AllowList} filter, with
 * classes resolved through a given loader (a notebook's cell classes live in their own), and a
 * compact form for the small values queues carry most.
 */
final class Codec {

    private static final byte INT = 1;
    private static final byte LONG = 2;
    private static final byte DOUBLE = 3;
    private static final byte STRING = 4;
    private static final byte BYTES = 5;
    private static final byte END = 7;
    private static final byte NULL = 8;
    private static final byte SERIALIZED = 9;

    static final byte[] END_ITEM = {END};

    private Codec() {
    }

    /**
     * Serialises {@code value}; a value that cannot be serialised becomes an
     * {@link IllegalArgumentException} naming the offending type and what to do about it.
     */
    static byte[] serialize(Object value, String what) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        } catch (NotSerializableException e) {
            throw new IllegalArgumentException("cannot send " + what + " to another JVM: it holds a " + e.getMessage()
                    + ", which is not Serializable. Make that type implement java.io.Serializable, or pass only what the"
                    + " task needs (numbers, strings, records that implement Serializable).", e);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot send " + what + " to another JVM: " + e, e);
        }
        return bytes.toByteArray();
    }

    /** Deserialises through the allow-list, resolving classes in {@code loader} first. */
    static Object deserialize(byte[] bytes, ClassLoader loader, boolean quiet) throws IOException, ClassNotFoundException {
        AllowList.takeRejected();
        try (ObjectInputStream in = new LoaderObjectInputStream(new ByteArrayInputStream(bytes), loader)) {
            in.setObjectInputFilter(AllowList.filter(quiet));
            return in.readObject();
        } catch (InvalidClassException e) {
            String rejected = AllowList.takeRejected();
            if (rejected != null) {
                throw new InvalidClassException(rejected, "not on the allow-list, so it was not deserialised; if it is"
                        + " your type, call AllowList.allow(...) in the parent before starting children");
            }
            throw e;
        }
    }

    /** Encodes a queue item: small values compactly, the rest serialised. */
    static byte[] encodeItem(Object item) {
        byte[] small = encodeSmall(item);
        // The message is built only for an item that needs it: queues put millions of small ones.
        return small != null ? small : encodeSerialized(item, "a queue item of type " + item.getClass().getName());
    }

    /**
     * Encodes any value (a result, a captured value, a queue item): small values compactly, the
     * rest serialised, failing as {@link #serialize} does with {@code what} in the message.
     */
    static byte[] encodeValue(Object item, String what) {
        byte[] small = encodeSmall(item);
        return small != null ? small : encodeSerialized(item, what);
    }

    /** The compact form of {@code null}, a boxed int, long or double, a string or bytes; else {@code null}. */
    private static byte[] encodeSmall(Object item) {
        if (item == null) {
            return new byte[] {NULL};
        }
        if (item instanceof Integer i) {
            return ByteBuffer.allocate(5).put(INT).putInt(i).array();
        }
        if (item instanceof Long l) {
            return ByteBuffer.allocate(9).put(LONG).putLong(l).array();
        }
        if (item instanceof Double d) {
            return ByteBuffer.allocate(9).put(DOUBLE).putDouble(d).array();
        }
        if (item instanceof String s) {
            byte[] utf = s.getBytes(StandardCharsets.UTF_8);
            byte[] out = new byte[utf.length + 1];
            out[0] = STRING;
            System.arraycopy(utf, 0, out, 1, utf.length);
            return out;
        }
        if (item instanceof byte[] b) {
            byte[] out = new byte[b.length + 1];
            out[0] = BYTES;
            System.arraycopy(b, 0, out, 1, b.length);
            return out;
        }
        return null;
    }

    private static byte[] encodeSerialized(Object item, String what) {
        byte[] ser = serialize(item, what);
        byte[] out = new byte[ser.length + 1];
        out[0] = SERIALIZED;
        System.arraycopy(ser, 0, out, 1, ser.length);
        return out;
    }

    static boolean isEnd(byte[] item) {
        return item.length == 1 && item[0] == END;
    }

    /** Decodes what {@link #encodeValue} wrote; the end mark decodes to {@code null}. */
    static Object decodeValue(byte[] item, ClassLoader loader) throws IOException, ClassNotFoundException {
        return decodeValue(item, loader, false);
    }

    /** The same; a {@code quiet} decoding refuses a class off the allow-list without printing. */
    static Object decodeValue(byte[] item, ClassLoader loader, boolean quiet) throws IOException, ClassNotFoundException {
        if (item.length == 0) {
            throw new Frames.CorruptFrameException("corrupt value: no bytes at all, not even its type tag");
        }
        int size = switch (item[0]) {
            case INT -> 5;
            case LONG, DOUBLE -> 9;
            default -> -1;
        };
        if (size > 0 && item.length != size) {
            throw new Frames.CorruptFrameException("corrupt value: a number of tag " + item[0] + " takes " + size
                    + " bytes, not " + item.length);
        }
        ByteBuffer buffer = ByteBuffer.wrap(item, 1, item.length - 1);
        return switch (item[0]) {
            case INT -> buffer.getInt();
            case LONG -> buffer.getLong();
            case DOUBLE -> buffer.getDouble();
            case STRING -> new String(item, 1, item.length - 1, StandardCharsets.UTF_8);
            case BYTES -> java.util.Arrays.copyOfRange(item, 1, item.length);
            case END, NULL -> null;
            case SERIALIZED -> deserialize(java.util.Arrays.copyOfRange(item, 1, item.length), loader, quiet);
            default -> throw new Frames.CorruptFrameException("corrupt value: unknown type tag " + item[0]);
        };
    }

    /** Decodes a queue item; the end mark decodes to {@code null}. */
    static Object decodeItem(byte[] item, ClassLoader loader) {
        try {
            return decodeValue(item, loader);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read a queue item: " + e.getMessage(), e);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("a queue item's class is not known here: " + e.getMessage()
                    + "; put it on the classpath of both JVMs", e);
        }
    }

    /** Writes a throwable's chain as class names, messages and frames, never as objects. */
    static byte[] encodeThrowable(Throwable error) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            List<Throwable> chain = new ArrayList<>();
            for (Throwable t = error; t != null && chain.size() < 20 && !chain.contains(t); t = t.getCause()) {
                chain.add(t);
            }
            out.writeInt(chain.size());
            for (Throwable t : chain) {
                Frames.writeString(out, t.getClass().getName());
                out.writeBoolean(t.getMessage() != null);
                if (t.getMessage() != null) {
                    Frames.writeString(out, t.getMessage());
                }
                StackTraceElement[] frames = t.getStackTrace();
                out.writeInt(frames.length);
                for (StackTraceElement f : frames) {
                    Frames.writeString(out, f.getClassName());
                    Frames.writeString(out, f.getMethodName());
                    Frames.writeString(out, f.getFileName() == null ? "" : f.getFileName());
                    out.writeInt(f.getLineNumber());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static ChildFailedException.RemoteThrowable decodeThrowable(byte[] payload) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload));
        // Smallest throwable: a name length, a flag, a frame count (9 bytes); smallest frame: three
        // string lengths and a line number (16 bytes). Counts are checked before anything is sized by them.
        int n = Frames.readCount(in, 9, "throwables in a failure");
        String[] names = new String[n];
        String[] messages = new String[n];
        List<List<StackTraceElement>> frames = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            names[i] = Frames.readString(in, "a failure's class name");
            messages[i] = in.readBoolean() ? Frames.readString(in, "a failure's message") : null;
            int count = Frames.readCount(in, 16, "stack frames of " + names[i]);
            List<StackTraceElement> list = new ArrayList<>(count);
            for (int j = 0; j < count; j++) {
                String cls = Frames.readString(in, "a stack frame's class");
                String method = Frames.readString(in, "a stack frame's method");
                String file = Frames.readString(in, "a stack frame's file");
                list.add(new StackTraceElement(cls, method, file.isEmpty() ? null : file, in.readInt()));
            }
            frames.add(list);
        }
        ChildFailedException.RemoteThrowable cause = null;
        for (int i = n - 1; i >= 0; i--) {
            cause = new ChildFailedException.RemoteThrowable(names[i], messages[i], frames.get(i), cause);
        }
        return cause;
    }

    /** An object stream that finds classes in a given loader before the default one. */
    private static final class LoaderObjectInputStream extends ObjectInputStream {
        private final ClassLoader loader;

        LoaderObjectInputStream(InputStream in, ClassLoader loader) throws IOException {
            super(in);
            this.loader = loader;
        }

        @Override
        protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
            if (loader != null) {
                try {
                    return Class.forName(desc.getName(), false, loader);
                } catch (ClassNotFoundException ignored) {
                    // fall through to the default resolution
                }
            }
            return super.resolveClass(desc);
        }
    }
}
