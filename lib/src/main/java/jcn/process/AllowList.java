package jcn.process;

import java.io.ObjectInputFilter;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The classes a JVM of this library will deserialise from another JVM: tasks, results, queue
 * items, notebook variables. Anything else is rejected before it is instantiated, and the
 * rejection is printed on standard error with the call that would allow it.
 *
 * <p>Allowed by default: boxed primitives, strings, enums, arrays of allowed types,
 * {@code java.util} collections, {@code java.math}, {@code java.time}, serializable lambdas,
 * classes written in notebook cells ({@code REPL.**}) and this library ({@code jcn.**}). Other
 * types of your own are allowed with {@link #allow(String)} in the parent before children
 * start; children inherit the parent's list.
 */
public final class AllowList {

    private static final List<String> DEFAULTS = List.of(
            "java.lang.Boolean", "java.lang.Byte", "java.lang.Character", "java.lang.Short",
            "java.lang.Integer", "java.lang.Long", "java.lang.Float", "java.lang.Double",
            "java.lang.Number", "java.lang.String", "java.lang.Enum", "java.lang.StackTraceElement",
            "java.lang.Object", "java.lang.invoke.SerializedLambda",
            "java.util.*", "java.math.*", "java.time.*",
            // Concurrent collections notebooks share, and what their serial forms hold: a
            // ConcurrentHashMap writes Segment objects (each a ReentrantLock) for compatibility with
            // Java 7, so without the lock classes it could be written but never read back.
            "java.util.concurrent.ConcurrentHashMap", "java.util.concurrent.ConcurrentHashMap$Segment",
            "java.util.concurrent.locks.ReentrantLock", "java.util.concurrent.locks.ReentrantLock$Sync",
            "java.util.concurrent.locks.ReentrantLock$NonfairSync",
            "java.util.concurrent.locks.AbstractQueuedSynchronizer",
            "java.util.concurrent.locks.AbstractOwnableSynchronizer",
            "java.util.concurrent.ConcurrentLinkedQueue", "java.util.concurrent.ConcurrentLinkedDeque",
            "java.util.concurrent.CopyOnWriteArrayList", "java.util.concurrent.CopyOnWriteArraySet",
            "java.util.concurrent.ConcurrentSkipListMap", "java.util.concurrent.atomic.AtomicInteger",
            "java.util.concurrent.atomic.AtomicLong", "java.util.concurrent.atomic.AtomicBoolean",
            "jcn.**", "REPL.**");

    private static final List<String> added = new CopyOnWriteArrayList<>();
    // Names already allowed. Patterns are only ever added, so an allowed name stays allowed, and
    // a child checks the same few names on every task it is sent.
    private static final Set<String> known = ConcurrentHashMap.newKeySet();
    private static final ThreadLocal<String> lastRejected = new ThreadLocal<>();

    private static final int MAX_DEPTH = 100;
    private static final long MAX_ARRAY = 100_000_000L;

    private AllowList() {
    }

    /**
     * Allows a class ({@code com.acme.Point}), a package ({@code com.acme.*}) or a package and its
     * subpackages ({@code com.acme.**}).
     *
     * @throws IllegalArgumentException if the pattern is blank or has a wildcard anywhere but at the end
     */
    public static void allow(String pattern) {
        Objects.requireNonNull(pattern, "pattern");
        String p = pattern.strip();
        String head = p.endsWith(".**") ? p.substring(0, p.length() - 3) : p.endsWith(".*") ? p.substring(0, p.length() - 2) : p;
        if (head.isEmpty() || head.contains("*") || head.contains("/") || head.contains(" ")) {
            throw new IllegalArgumentException("not a class pattern: '" + pattern
                    + "'; use a class name (com.acme.Point), a package (com.acme.*) or a package tree (com.acme.**)");
        }
        if (!added.contains(p)) {
            added.add(p);
        }
    }

    /** The patterns in force: the defaults, then those added with {@link #allow(String)}. */
    public static List<String> patterns() {
        List<String> all = new ArrayList<>(DEFAULTS);
        all.addAll(added);
        return List.copyOf(all);
    }

    /** Whether the class named {@code className} (binary name) may be deserialised. */
    public static boolean allows(String className) {
        if (known.contains(className)) {
            return true;
        }
        int lambda = className.indexOf("$$Lambda");
        // A lambda rebuilt from its serialised form belongs to the class that wrote it.
        String owner = lambda > 0 ? className.substring(0, lambda) : className;
        // Loops, not streams: a stream's lambda would be one more class to spin in a cold child.
        for (String pattern : DEFAULTS) {
            if (matches(pattern, owner)) {
                known.add(className);
                return true;
            }
        }
        for (String pattern : added) {
            if (matches(pattern, owner)) {
                known.add(className);
                return true;
            }
        }
        return false;
    }

    /** Allows one class by its exact binary name, e.g. a class holding a task's lambda. */
    static void allowClass(String className) {
        if (!allows(className)) {
            added.add(className);
        }
    }

    /** The patterns added to the defaults, in the order they were added. */
    static List<String> added() {
        return List.copyOf(added);
    }

    /** Allows each of {@code patterns}: in a child, those its parent had added to the defaults. */
    static void allowAll(List<String> patterns) {
        for (String p : patterns) {
            allow(p);
        }
    }

    private static boolean matches(String pattern, String name) {
        if (pattern.endsWith(".**")) {
            return name.startsWith(pattern.substring(0, pattern.length() - 2));
        }
        if (pattern.endsWith(".*")) {
            String pkg = pattern.substring(0, pattern.length() - 1);
            return name.startsWith(pkg) && name.indexOf('.', pkg.length()) < 0;
        }
        return name.equals(pattern);
    }

    /** The class this thread's last filter refused, and forgets it. */
    static String takeRejected() {
        String name = lastRejected.get();
        lastRejected.remove();
        return name;
    }

    /** A filter that applies this list; {@code quiet} filters reject without printing. */
    static ObjectInputFilter filter(boolean quiet) {
        return info -> {
            if (info.depth() > MAX_DEPTH || info.arrayLength() > MAX_ARRAY) {
                return ObjectInputFilter.Status.REJECTED;
            }
            Class<?> type = info.serialClass();
            if (type == null) {
                return ObjectInputFilter.Status.UNDECIDED;
            }
            while (type.isArray()) {
                type = type.getComponentType();
            }
            if (type.isPrimitive() || allows(type.getName())) {
                return ObjectInputFilter.Status.ALLOWED;
            }
            lastRejected.set(type.getName());
            if (!quiet) {
                String name = type.getName();
                int dot = name.lastIndexOf('.');
                String suggestion = dot > 0 ? name.substring(0, dot) + ".*" : name;
                System.err.println("jcn: refused to deserialise " + name + " (pid " + ProcessHandle.current().pid()
                        + "): it is not on the allow-list. If it is your type, call AllowList.allow(\"" + suggestion
                        + "\") in the parent before starting children.");
            }
            return ObjectInputFilter.Status.REJECTED;
        };
    }
}
