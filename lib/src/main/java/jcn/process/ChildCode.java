package jcn.process;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.File;
import java.lang.reflect.Field;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The child's side of {@link CellCode}: a class loader that defines the cell classes the
 * parent sent, finds the rest of the task's code on the parent's jars, and sets the copied
 * notebook variables.
 */
final class ChildCode extends URLClassLoader {

    static {
        registerAsParallelCapable();
    }

    private static volatile URL[] codePath = new URL[0];
    private static volatile ChildCode current;

    private final ConcurrentHashMap<String, byte[]> classes = new ConcurrentHashMap<>();
    // Copies of notebook variables by the class that holds them, set when that class is loaded,
    // which apply() does for the classes that got copies (only those: a notebook has a class per
    // snippet, and loading them all would cost more than most tasks).
    private final ConcurrentHashMap<String, ConcurrentLinkedQueue<Variable>> variables = new ConcurrentHashMap<>();

    private record Variable(String field, byte[] value) {
    }

    private ChildCode() {
        super("jcn-cells", codePath, ChildCode.class.getClassLoader());
    }

    /** Sets the jars and directories beyond the child's own classpath, separated as on a classpath. */
    static void setCodePath(String entries) {
        List<URL> urls = new ArrayList<>();
        for (String entry : entries.split(File.pathSeparator)) {
            if (!entry.isBlank()) {
                try {
                    urls.add(Path.of(entry).toUri().toURL());
                } catch (MalformedURLException e) {
                    throw new IllegalArgumentException("not a classpath entry: " + entry, e);
                }
            }
        }
        codePath = urls.toArray(URL[]::new);
    }

    /** The cell classes this child was sent, by name: what a grandchild needs of them. */
    Map<String, byte[]> cellClasses() {
        return java.util.Collections.unmodifiableMap(classes);
    }

    /** Those of the cell classes this child has loaded, by name. */
    Map<String, Class<?>> loadedCellClasses() {
        Map<String, Class<?>> loaded = new java.util.HashMap<>();
        for (String name : classes.keySet()) {
            Class<?> c = findLoadedClass(name);
            if (c != null) {
                loaded.put(name, c);
            }
        }
        return loaded;
    }

    /** The jars and directories of the code path, as file paths. */
    List<String> codePathEntries() {
        List<String> entries = new ArrayList<>();
        for (URL url : getURLs()) {
            try {
                entries.add(Path.of(url.toURI()).toString());
            } catch (java.net.URISyntaxException | RuntimeException e) {
                // not a file: the grandchild cannot use it either
            }
        }
        return entries;
    }

    static ChildCode current() {
        ChildCode code = current;
        if (code == null) {
            code = new ChildCode();
            current = code;
        }
        return code;
    }

    /**
     * Reads what {@link CellCode.Shipment#writeDelta} wrote and applies it; {@code in} reads
     * {@code payload}, the frame in memory.
     */
    static ChildCode apply(DataInputStream in, byte[] payload) throws IOException {
        boolean reset = in.readBoolean();
        if (reset) {
            current = new ChildCode();
        }
        ChildCode code = current();
        // A class is at least two lengths; a variable three.
        int n = Frames.readCount(in, 8, "cell classes");
        // available() is exact for a frame in memory, so this is where the classes start in it.
        int start = payload.length - in.available();
        in.skipNBytes(readClasses(payload, start, n, code.classes) - start);
        int vars = Frames.readCount(in, 12, "notebook variables");
        Set<String> owners = vars == 0 ? Set.of() : new HashSet<>();
        for (int i = 0; i < vars; i++) {
            String owner = Frames.readString(in, "a variable's class");
            String field = Frames.readString(in, "a variable's name");
            byte[] value = Frames.readBytes(in, "a variable's value");
            code.variables.computeIfAbsent(owner, k -> new ConcurrentLinkedQueue<>()).add(new Variable(field, value));
            owners.add(owner);
        }
        // Every class that got copies takes them now, before the task runs: one defined later, on first
        // use, would be visible to the task's other threads for a moment before its copies were set, and
        // a thread could read a variable's default (a parallel stream in a task did).
        for (String owner : owners) {
            Class<?> loaded = code.findLoadedClass(owner);
            if (loaded != null) {
                code.setVariables(loaded);
            } else {
                try {
                    code.loadClass(owner, false);
                } catch (ClassNotFoundException | LinkageError e) {
                    // the task meets the same problem when it uses the class, and reports it
                }
            }
        }
        return code;
    }

    /**
     * Reads {@code n} classes (name, bytecode) from {@code p} at {@code off} into {@code into};
     * returns where they end. A fresh child is sent every class of the notebook, hundreds after
     * a few reruns, and runs this before the JIT has compiled anything: reading the array
     * directly costs a third of reading it through a stream.
     */
    private static int readClasses(byte[] p, int off, int n, Map<String, byte[]> into) throws IOException {
        for (int i = 0; i < n; i++) {
            int nameLength = Frames.lengthAt(p, off, "a cell class's name");
            String name = new String(p, off + 4, nameLength, StandardCharsets.UTF_8);
            off += 4 + nameLength;
            int size = Frames.lengthAt(p, off, "a cell class's bytecode");
            into.put(name, Arrays.copyOfRange(p, off + 4, off + 4 + size));
            off += 4 + size;
        }
        return off;
    }

    // Cell classes first: asking the parent loader would search, and open, every jar on the classpath.
    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (classes.containsKey(name)) {
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c == null) {
                    c = findClass(name);
                }
                if (resolve) {
                    resolveClass(c);
                }
                return c;
            }
        }
        return super.loadClass(name, resolve);
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        byte[] bytes = classes.get(name);
        if (bytes == null) {
            return super.findClass(name);
        }
        Class<?> defined = defineClass(name, bytes, 0, bytes.length);
        setVariables(defined);
        return defined;
    }

    private void setVariables(Class<?> owner) {
        ConcurrentLinkedQueue<Variable> copies = variables.remove(owner.getName());
        if (copies == null) {
            return;
        }
        for (Variable v : copies) {
            try {
                Field f = owner.getDeclaredField(v.field());
                f.setAccessible(true);
                f.set(null, Codec.decodeValue(v.value(), this, true));
            } catch (ReflectiveOperationException | IOException | RuntimeException | LinkageError e) {
                // a variable whose copy cannot be read keeps its default value, as it would under spawn
            }
        }
    }
}
