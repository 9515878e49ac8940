package jcn.process;

import java.io.DataInputStream;
import java.io.IOException;
import java.lang.reflect.Field;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The child's side of {@link CellCode}: a class loader that defines the cell classes the
 * parent sent, and sets the copied notebook variables.
 */
final class ChildCode extends ClassLoader {

    static {
        registerAsParallelCapable();
    }

    private static volatile ChildCode current = new ChildCode();

    private final ConcurrentHashMap<String, byte[]> classes = new ConcurrentHashMap<>();

    private ChildCode() {
        super("jcn-cells", ChildCode.class.getClassLoader());
    }

    static ChildCode current() {
        return current;
    }

    /** Reads what {@link CellCode.Shipment#writeDelta} wrote and applies it. */
    static ChildCode apply(DataInputStream in) throws IOException {
        boolean reset = in.readBoolean();
        if (reset) {
            current = new ChildCode();
        }
        ChildCode code = current;
        int n = in.readInt();
        for (int i = 0; i < n; i++) {
            String name = Hub.readString(in);
            byte[] bytes = new byte[in.readInt()];
            in.readFully(bytes);
            code.classes.put(name, bytes);
        }
        int vars = in.readInt();
        for (int i = 0; i < vars; i++) {
            String owner = Hub.readString(in);
            String field = Hub.readString(in);
            byte[] value = new byte[in.readInt()];
            in.readFully(value);
            try {
                Class<?> type = Class.forName(owner, true, code);
                Field f = type.getDeclaredField(field);
                f.setAccessible(true);
                f.set(null, Codec.deserialize(value, code, true));
            } catch (ReflectiveOperationException | IOException | RuntimeException | LinkageError e) {
                // a variable whose copy cannot be read keeps its default value, as it would under spawn
            }
        }
        return code;
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        byte[] bytes = classes.get(name);
        if (bytes == null) {
            throw new ClassNotFoundException(name);
        }
        return defineClass(name, bytes, 0, bytes.length);
    }
}
