package jcn.process;

import java.io.DataOutputStream;
import java.io.File;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The code a task needs that a child JVM cannot find on its classpath: the classes a notebook
 * cell compiled, which JShell keeps in memory only.
 *
 * <p>JJava keeps every class a cell declares in its loader delegate, a map from class name to
 * bytes; this class reads that map (by reflection, as JJava offers no API for it) so the bytes
 * can travel with the task. Top-level variables of cells are static fields of JShell's wrapper
 * classes; the serialisable ones travel too, so a child sees a copy of them, as a forked
 * process would. Code from any other in-memory loader is refused with a clear message.
 */
final class CellCode {

    private static final String JJAVA_LOADER = "org.dflib.jjava.kernel.execution.JJavaLoaderDelegate$JJavaClassLoader";
    // JShell names a snippet's wrapper $JShell$12, and the wrapper of a redeclaration of it $JShell$12B.
    private static final Pattern WRAPPER = Pattern.compile("REPL\\.\\$JShell\\$\\d+[A-Z]*");

    /** The jar of this library without its dependencies, made beside the shaded one by the build. */
    static final String CHILD_JAR = "jcn-lib-child.jar";
    /** The jar with this library and everything it uses, beside {@link #CHILD_JAR}. */
    static final String SHADED_JAR = "jcn-lib.jar";

    /** Code that lives on the classpath: nothing to ship. */
    static final CellCode CLASSPATH = new CellCode(Map.of(), Map.of(), List.of(), null);

    private final Map<String, byte[]> declared;
    private final Map<String, Class<?>> loaded;
    private final List<String> classpath;
    private final ClassLoader loader;
    private final int urlCount;

    private static volatile CellCode lastJJava;

    private CellCode(Map<String, byte[]> declared, Map<String, Class<?>> loaded, List<String> classpath, ClassLoader loader) {
        this.declared = declared;
        this.loaded = loaded;
        this.classpath = classpath;
        this.loader = loader;
        this.urlCount = loader instanceof URLClassLoader u ? u.getURLs().length : 0;
    }

    /** Finds where {@code type}'s code comes from and how to send it. */
    static CellCode of(Class<?> type) {
        ClassLoader loader = type.getClassLoader();
        if (loader == null || loader == ClassLoader.getSystemClassLoader() || loader == ClassLoader.getPlatformClassLoader()
                || loader == CellCode.class.getClassLoader() && !JJAVA_LOADER.equals(loader.getClass().getName())) {
            return CLASSPATH;
        }
        if (loader instanceof ChildCode child) {
            // A task started from inside a child's task (a grandchild): the cell classes the child
            // was sent travel on, and its code path with them.
            return new CellCode(child.cellClasses(), child.loadedCellClasses(), child.codePathEntries(), loader);
        }
        if (JJAVA_LOADER.equals(loader.getClass().getName())) {
            // Reflection on every task would cost more than the task; the kernel has one loader,
            // whose jar list only grows (with %classpath).
            CellCode last = lastJJava;
            if (last != null && last.loader == loader && last.urlCount == ((URLClassLoader) loader).getURLs().length) {
                return last;
            }
            lastJJava = fromJJava(loader);
            return lastJJava;
        }
        throw new IllegalArgumentException("cannot send " + type.getName() + " to a child JVM: it was loaded by "
                + loader.getClass().getName() + ", which keeps its classes where this library cannot read them. Tasks can"
                + " come from the classpath or from cells of the JJava kernel; put this code in a jar on the classpath.");
    }

    @SuppressWarnings("unchecked")
    private static CellCode fromJJava(ClassLoader loader) {
        try {
            Field outer = loader.getClass().getDeclaredField("this$0");
            outer.setAccessible(true);
            Object delegate = outer.get(loader);
            Field declaredField = delegate.getClass().getDeclaredField("declaredClasses");
            declaredField.setAccessible(true);
            Field loadedField = delegate.getClass().getDeclaredField("loadedClasses");
            loadedField.setAccessible(true);
            List<String> urls = new ArrayList<>();
            for (URL url : ((URLClassLoader) loader).getURLs()) {
                if ("file".equals(url.getProtocol())) {
                    urls.add(Path.of(url.toURI()).toString());
                }
            }
            return new CellCode((Map<String, byte[]>) declaredField.get(delegate),
                    (Map<String, Class<?>>) loadedField.get(delegate), List.copyOf(urls), loader);
        } catch (ReflectiveOperationException | RuntimeException | URISyntaxException e) {
            throw new IllegalStateException("cannot read the classes of this notebook's cells from the JJava kernel ("
                    + e + "); this JJava version keeps them differently. Put the task's code in a jar on the classpath"
                    + " instead, or use the JJava version pinned in requirements.txt.", e);
        }
    }

    /** The loader to resolve classes of results in, or {@code null} for the default. */
    ClassLoader loader() {
        return loader;
    }

    /**
     * What the child JVM's own classpath holds: this library alone (its small jar when the
     * build made one, else its jar or directory). Kept this short because the JDK scans every
     * jar on the classpath for services the first time it logs or exits, tens of milliseconds
     * for the large shaded jar.
     */
    List<String> childClasspath() {
        return List.of(self(true));
    }

    /**
     * Everything else the task's code may need, loaded by the child's cell-class loader when
     * first asked for: the shaded jar, jars added to the notebook, and this JVM's classpath
     * unless this JVM is the notebook kernel.
     */
    List<String> codePath() {
        Set<String> entries = new LinkedHashSet<>();
        entries.add(self(false));
        for (String entry : classpath) {
            entries.add(normal(entry));
        }
        if (loader == null) {
            for (String entry : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
                if (!entry.isBlank()) {
                    entries.add(normal(entry));
                }
            }
        }
        entries.remove(self(true));
        return List.copyOf(entries);
    }

    private static String self(boolean thin) {
        try {
            Path self = Path.of(CellCode.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path small = self.resolveSibling(CHILD_JAR);
            if (thin && Files.isRegularFile(self) && Files.isRegularFile(small)) {
                return normal(small.toString());
            }
            return normal(self.toString());
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot tell where this library's classes are: " + e.getMessage(), e);
        }
    }

    private static String normal(String entry) {
        return Path.of(entry).toAbsolutePath().normalize().toString();
    }

    /**
     * What one child has received so far, so each class travels once and each notebook variable
     * only when its value changed.
     *
     * <p>The rule for notebook variables, the same for every worker of a pool and every child:
     * a task sees the values the notebook's variables had when the task was sent to its JVM,
     * as a task pickled by CPython carries what it refers to. Only the variables the task's
     * code can read travel: those named by the lambda's cell, by the cell classes it names or
     * whose objects it holds, and by their subclasses ({@link CellRefs}); a task that is not a
     * lambda gets them all. (An object of a cell class reached only inside a collection typed
     * by a JDK interface is not followed.) A variable assigned again in a
     * later cell, or rerun, reaches each worker with that worker's next task; so does an object
     * changed in place when its {@code hashCode} shows the change, as it does for the JDK's
     * collections, records of such values, and arrays. (An object of a class that keeps
     * {@code Object}'s identity hash is sent again only when the variable is assigned.) Values
     * that cannot be serialised (a pool, a thread) stay at their default in the child.
     */
    static final class Shipment {
        private final Map<String, byte[]> sent = new HashMap<>();
        private final List<Field> tracked = new ArrayList<>();
        private final Map<Field, SentValue> values = new HashMap<>();
        // The tracked variables each task's roots reach, until the next cell's classes arrive.
        private final Map<List<String>, Set<Field>> reachable = new HashMap<>();
        private int secretsSent = Integer.MIN_VALUE;

        /** The value a child last got for a variable: the object it came from, its fingerprint, its bytes. */
        private record SentValue(Object identity, int fingerprint, byte[] bytes, boolean unsendable) {
        }

        /** This JVM's hub secrets if they changed since the child last got them, else {@code null}. */
        synchronized String secretsIfNew() {
            int version = Hub.secretsVersion();
            if (version == secretsSent) {
                return null;
            }
            secretsSent = version;
            return Hub.secretsForChild();
        }

        /**
         * Writes the classes the child lacks and the variables whose value it lacks; a class
         * changed since it was sent resets the child's loader. Only the variables that code
         * starting in {@code roots} can read are compared and sent ({@link CellRefs}); all of
         * them when {@code roots} is {@code null}.
         */
        synchronized void writeDelta(CellCode code, List<String> roots, DataOutputStream out) throws IOException {
            // One pass, no copy: a notebook holds a class per snippet, hundreds of them, and this
            // runs for every task. JJava's map is concurrent, so reading it while a cell runs is safe.
            List<Map.Entry<String, byte[]>> fresh = new ArrayList<>();
            boolean reset = false;
            for (Map.Entry<String, byte[]> e : code.declared.entrySet()) {
                byte[] before = sent.get(e.getKey());
                if (before == null) {
                    fresh.add(e);
                } else if (before != e.getValue()) {
                    reset = true;
                    break;
                }
            }
            if (reset) {
                sent.clear();
                tracked.clear();
                values.clear();
                fresh = new ArrayList<>(code.declared.entrySet());
            }
            out.writeBoolean(reset);
            out.writeInt(fresh.size());
            for (Map.Entry<String, byte[]> e : fresh) {
                Frames.writeString(out, e.getKey());
                out.writeInt(e.getValue().length);
                out.write(e.getValue());
                sent.put(e.getKey(), e.getValue());
            }
            for (Map.Entry<String, byte[]> e : fresh) {
                String name = e.getKey();
                Class<?> wrapper = code.loaded.get(name);
                if (wrapper != null && WRAPPER.matcher(name).matches()) {
                    track(wrapper);
                }
            }
            if (reset || !fresh.isEmpty()) {
                reachable.clear();
            }
            Set<Field> wanted = roots == null ? null : reachable.computeIfAbsent(roots, r -> reach(code, r));
            List<VariableCopy> changed = new ArrayList<>();
            for (Field f : wanted == null ? tracked : wanted) {
                VariableCopy copy = changed(f);
                if (copy != null) {
                    changed.add(copy);
                }
            }
            out.writeInt(changed.size());
            for (VariableCopy v : changed) {
                Frames.writeString(out, v.owner());
                Frames.writeString(out, v.field());
                out.writeInt(v.value().length);
                out.write(v.value());
            }
        }

        /**
         * The tracked variables code starting in {@code roots} can read, in tracking order, or
         * {@code null} for all. A variable whose value is an object of a cell class adds that
         * class's code: a call on it may run code that no class on the way names.
         */
        private Set<Field> reach(CellCode code, List<String> roots) {
            Set<String> from = new LinkedHashSet<>(roots);
            for (int round = 0; round < 8; round++) {
                Set<String> names = CellRefs.reachableFields(from, code.declared);
                if (names == null) {
                    return null;
                }
                Set<Field> fields = new LinkedHashSet<>();
                for (Field f : tracked) {
                    if (names.contains(f.getDeclaringClass().getName() + "." + f.getName())) {
                        fields.add(f);
                    }
                }
                int before = from.size();
                for (Field f : fields) {
                    try {
                        Object value = f.get(null);
                        if (value != null && code.declared.containsKey(value.getClass().getName())) {
                            from.add(value.getClass().getName());
                        }
                    } catch (ReflectiveOperationException | RuntimeException e) {
                        // read again when the value is compared
                    }
                }
                if (from.size() == before) {
                    return fields;
                }
            }
            return null;
        }

        // A wrapper class's variables: its static fields that a cell can assign.
        private void track(Class<?> wrapper) {
            Field[] fields;
            try {
                fields = wrapper.getDeclaredFields();
            } catch (LinkageError e) {
                return;
            }
            for (Field f : fields) {
                int mod = f.getModifiers();
                if (!Modifier.isStatic(mod) || Modifier.isFinal(mod) || f.isSynthetic()) {
                    continue;
                }
                try {
                    f.setAccessible(true);
                    tracked.add(f);
                } catch (RuntimeException e) {
                    // a field that cannot be read stays at its default in the child
                }
            }
        }

        // The variable's value if the child has not got it yet; null if it has, or cannot.
        private VariableCopy changed(Field f) {
            Object value;
            try {
                value = f.get(null);
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null;
            }
            SentValue last = values.get(f);
            if (last == null && value == null) {
                return null; // the child's default already
            }
            // Serialising every variable for every task would cost more than most tasks, so a
            // value is encoded again only when it may have changed: another object, or the same
            // object with another content fingerprint (a list that grew, an array written to).
            int fingerprint = fingerprint(value);
            if (last != null && (last.identity() == value || immutable(value) && value.equals(last.identity()))
                    && (last.unsendable() || immutable(value) || last.fingerprint() == fingerprint)) {
                return null;
            }
            if (value != null && !(value instanceof java.io.Serializable)) {
                values.put(f, new SentValue(value, fingerprint, last == null ? null : last.bytes(), true));
                return null;
            }
            byte[] bytes;
            try {
                bytes = Codec.encodeValue(value, "variable " + f.getName());
            } catch (RuntimeException e) {
                values.put(f, new SentValue(value, fingerprint, last == null ? null : last.bytes(), true));
                return null;
            }
            values.put(f, new SentValue(value, fingerprint, bytes, false));
            if (last != null && java.util.Arrays.equals(last.bytes(), bytes)) {
                return null;
            }
            return new VariableCopy(f.getDeclaringClass().getName(), f.getName(), bytes);
        }

        // The content's hash, as far as the type defines one: the JDK's collections, records,
        // strings and boxed values hash their content; arrays are hashed element by element.
        private static int fingerprint(Object value) {
            try {
                return switch (value) {
                    case null -> 0;
                    case int[] a -> java.util.Arrays.hashCode(a);
                    case long[] a -> java.util.Arrays.hashCode(a);
                    case double[] a -> java.util.Arrays.hashCode(a);
                    case byte[] a -> java.util.Arrays.hashCode(a);
                    case boolean[] a -> java.util.Arrays.hashCode(a);
                    case char[] a -> java.util.Arrays.hashCode(a);
                    case float[] a -> java.util.Arrays.hashCode(a);
                    case short[] a -> java.util.Arrays.hashCode(a);
                    case Object[] a -> java.util.Arrays.deepHashCode(a);
                    default -> value.hashCode();
                };
            } catch (RuntimeException | StackOverflowError e) {
                return System.identityHashCode(new Object()); // unknown: counts as changed
            }
        }

        private static boolean immutable(Object value) {
            return value == null || value instanceof String || value instanceof Number && value.getClass().getName()
                    .startsWith("java.lang.") || value instanceof Boolean || value instanceof Character || value instanceof Enum
                    // a queue's or lock's serial form is its address, fixed for its life
                    || value instanceof ProcessQueue<?> || value instanceof ProcessLock;
        }

        /** A notebook variable's value, encoded, and where it goes in the child. */
        private record VariableCopy(String owner, String field, byte[] value) {
        }
    }
}
