package jcn.process;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A task run in a child JVM: the twin of Python's {@code multiprocessing.Process}, with the
 * child's return value (Python gives none) and its exception, stack trace included.
 *
 * <pre>{@code
 * ChildProcess<Long> child = ChildProcess.of(() -> ProcessHandle.current().pid()).start();
 * long childPid = child.result();   // waits, like join(), then returns the value
 * }</pre>
 *
 * <p>The task may be a lambda written in a notebook cell: the cell's classes travel with it,
 * and the child gets a copy of the notebook's serialisable variables as they are at
 * {@link #start()}. The child's output lines appear in this JVM's output marked
 * {@code [name]}. A child never outlives this JVM: it halts when this JVM ends, however it
 * ends. A child is started once; every wait is bounded by {@link #timeout(Duration)}.
 *
 * @param <T> the type of the task's result
 */
public final class ChildProcess<T> {

    /** How long {@link #join()} and {@link #result()} wait before they kill the child. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);

    private static final AtomicInteger NUMBERS = new AtomicInteger();

    private final ProcessTask<?> task;
    private final Class<?> codeOf;
    private volatile String name;
    private volatile List<String> jvmOptions = List.of();
    private volatile Duration timeout = DEFAULT_TIMEOUT;

    private volatile Launcher.Child child;
    private volatile ClassLoader resultLoader;
    private volatile Wire.Frame answer;

    private ChildProcess(ProcessTask<?> task, Class<?> codeOf) {
        this.task = task;
        this.codeOf = codeOf;
        this.name = "child-" + NUMBERS.incrementAndGet();
    }

    /** A child that will run {@code task}; call {@link #start()} to start it. */
    public static <T> ChildProcess<T> of(ProcessTask<T> task) {
        Objects.requireNonNull(task, "task");
        return new ChildProcess<>(task, task.getClass());
    }

    /** Starts a child running {@code task} at once. */
    public static <T> ChildProcess<T> start(ProcessTask<T> task) {
        return of(task).start();
    }

    /**
     * A child that runs the {@code main} method of {@code mainClass} with {@code args}; its
     * exit code is what {@code main} passes to {@code System.exit}, or 0.
     *
     * @throws IllegalArgumentException if the class has no {@code public static void main(String[])}
     */
    public static ChildProcess<Void> ofMain(Class<?> mainClass, String... args) {
        Objects.requireNonNull(mainClass, "mainClass");
        try {
            Method main = mainClass.getMethod("main", String[].class);
            if (!Modifier.isStatic(main.getModifiers())) {
                throw new NoSuchMethodException();
            }
        } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException(mainClass.getName() + " has no public static void main(String[] args)");
        }
        return new ChildProcess<>(new MainTask(mainClass.getName(), args.clone()), mainClass);
    }

    /**
     * A child that runs the {@code main} method of the class named {@code className}.
     *
     * @throws IllegalArgumentException if no such class is visible here: the child could not find it either
     */
    public static ChildProcess<Void> ofMain(String className, String... args) {
        Objects.requireNonNull(className, "className");
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        try {
            return ofMain(Class.forName(className, false, loader == null ? ChildProcess.class.getClassLoader() : loader), args);
        } catch (ClassNotFoundException e) {
            throw new IllegalArgumentException("no class named " + className + " here, so a child could not load it"
                    + " either: check the name (with its package) and that its jar is on the classpath");
        }
    }

    /** Names the child; its output lines are marked with the name. */
    public ChildProcess<T> named(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("a child's name must not be blank");
        }
        this.name = name;
        return this;
    }

    /** Extra options for the child JVM, e.g. {@code -Xmx64m}. */
    public ChildProcess<T> jvmOptions(String... options) {
        this.jvmOptions = List.of(options);
        return this;
    }

    /** How long {@link #join()} and {@link #result()} wait; by default {@link #DEFAULT_TIMEOUT}. */
    public ChildProcess<T> timeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, not " + timeout);
        }
        this.timeout = timeout;
        return this;
    }

    /** The most children that may be alive at once in this JVM, pool workers included. */
    public static int maxAlive() {
        return Launcher.maxAlive();
    }

    /** Sets the bound on live children; starting one more throws {@link IllegalStateException}. */
    public static void setMaxAlive(int max) {
        Launcher.setMaxAlive(max);
    }

    /**
     * Keeps {@code count} child JVMs booted ahead of time (1 unless changed; 0 turns them off
     * and ends those there are). The twin of CPython's {@code forkserver}: {@link #start()} and
     * {@link ProcessPool#create(int)} take a standby JVM before they boot a new one, which saves
     * the JVM's start-up. A child with its own {@link #jvmOptions(String...)} always starts cold.
     *
     * <p>A taken standby behaves as a new child in every way: its own pid, name, exit code and
     * output; the cell classes, variables, queues and locks of the moment it is taken. Standbys
     * are made only after this JVM has started a child, each time a child ends, never more than
     * {@code count}; they are not counted against {@link #maxAlive()} and end with this JVM,
     * however it ends.
     *
     * @throws IllegalArgumentException if {@code count} is negative or above 8
     */
    public static void setStandby(int count) {
        Standby.setWanted(count);
    }

    /** How many standby JVMs are kept ready; see {@link #setStandby(int)}. */
    public static int standby() {
        return Standby.wanted();
    }

    /**
     * The process ids of the standby JVMs waiting now, not yet taken: the {@code java}
     * processes of this JVM that run no task. Empty when there are none.
     */
    public static List<Long> standbyPids() {
        return Standby.pids();
    }

    /**
     * Waits at most {@code timeout} until the standby JVMs have finished booting; returns
     * whether they have (true when there are none). Call it before measuring something that a
     * JVM booting in the background would slow down; {@code Cores.measure} does.
     *
     * @throws InterruptedException if the waiting thread is interrupted
     */
    public static boolean awaitStandby(Duration timeout) throws InterruptedException {
        Objects.requireNonNull(timeout, "timeout");
        return Standby.awaitBooted(timeout);
    }

    /** How many children of this JVM are alive now, pool workers included. */
    public static int alive() {
        return Launcher.alive();
    }

    /**
     * Starts the child JVM and returns at once.
     *
     * @throws IllegalStateException    if it was started before, or the bound on live children is reached
     * @throws IllegalArgumentException if the task or something it captures cannot be serialised
     */
    public synchronized ChildProcess<T> start() {
        if (child != null) {
            throw new IllegalStateException(name + " was already started; a process starts once (make a new ChildProcess)");
        }
        Tasks.Prepared prepared = Tasks.Prepared.of(task, codeOf, task, "the task of " + name);
        byte[] frame = Tasks.frame(1, prepared, new CellCode.Shipment());
        resultLoader = prepared.code().loader();
        Launcher.Child c = Launcher.start(name, "task", prepared.code(), jvmOptions);
        try {
            c.pipe().send(ChildMain.TASK, frame);
        } catch (IOException e) {
            // The child died at once; join() and result() report how it ended.
        }
        child = c;
        return this;
    }

    private Launcher.Child started() {
        Launcher.Child c = child;
        if (c == null) {
            throw new IllegalStateException(name + " has not been started; call start() first");
        }
        return c;
    }

    /** The child's name, {@code child-N} unless {@link #named(String) named}. */
    public String name() {
        return name;
    }

    /** The child's process id. */
    public long pid() {
        return started().process().pid();
    }

    /** Whether the child is still running. */
    public boolean isAlive() {
        return started().process().isAlive();
    }

    /**
     * Waits at most {@code timeout} for the child to end, and for its output to be copied;
     * returns whether it ended. Interrupting the waiting thread kills the child.
     */
    public boolean join(Duration timeout) throws InterruptedException {
        Objects.requireNonNull(timeout, "timeout");
        Launcher.Child c = started();
        try {
            if (!c.process().waitFor(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS)) {
                return false;
            }
            c.awaitOutput(2000);
        } catch (InterruptedException e) {
            kill();
            throw e;
        }
        return true;
    }

    /**
     * Waits for the child to end, at most {@link #timeout(Duration)}; a child still running
     * then is killed and a {@link ChildDiedException} says so.
     */
    public void join() throws InterruptedException {
        if (!join(timeout)) {
            kill();
            join(Duration.ofSeconds(5));
            throw new ChildDiedException(describe() + " was still running after " + timeout + " and has been killed", -1);
        }
    }

    /** Kills the child at once ({@code SIGKILL}), the twin of Python's {@code kill()}. */
    public void kill() {
        started().process().destroyForcibly();
    }

    /** Asks the child to end ({@code SIGTERM}), the twin of Python's {@code terminate()}. */
    public void terminate() {
        started().process().destroy();
    }

    /**
     * The exit code once the child has ended: 0 after a task that returned, 1 after one that
     * threw, what the task passed to {@code System.exit}, 128 + N after signal N; empty while
     * it runs (Python's {@code exitcode} is {@code None} then, and {@code -N} after signal N).
     */
    public OptionalInt exitCode() {
        Process p = started().process();
        return p.isAlive() ? OptionalInt.empty() : OptionalInt.of(p.exitValue());
    }

    /**
     * Waits for the child like {@link #join()}, then returns the task's value.
     *
     * @throws ChildFailedException if the task threw; the cause carries the child's stack trace
     * @throws ChildDiedException   if the child ended without an answer (killed, {@code System.exit}, out of memory)
     */
    @SuppressWarnings("unchecked")
    public T result() throws InterruptedException {
        join();
        Wire.Frame frame = answer;
        if (frame == null) {
            try {
                do {
                    frame = child.pipe().receive(TimeUnit.SECONDS.toNanos(2));
                } while (frame != null && frame.type() == ChildMain.READY);
            } catch (IOException e) {
                frame = null;
            }
            answer = frame;
        }
        if (frame == null) {
            int code = child.process().exitValue();
            throw new ChildDiedException(describe() + " " + Launcher.describeExit(code) + " before it returned a result", code);
        }
        return (T) Tasks.answer(frame, describe(), resultLoader);
    }

    private String describe() {
        Launcher.Child c = child;
        return c == null ? name : name + " (pid " + c.process().pid() + ")";
    }

    @Override
    public String toString() {
        Launcher.Child c = child;
        if (c == null) {
            return "ChildProcess[" + name + ", not started]";
        }
        Process p = c.process();
        return "ChildProcess[" + name + ", pid " + p.pid() + ", " + (p.isAlive() ? "alive" : "exit code " + p.exitValue()) + "]";
    }

    /** Runs a class's {@code main} in the child. */
    private record MainTask(String className, String[] args) implements ProcessTask<Void> {
        @Override
        public Void call() throws Exception {
            ClassLoader loader = Thread.currentThread().getContextClassLoader();
            Method main = Class.forName(className, true, loader).getMethod("main", String[].class);
            try {
                main.invoke(null, (Object) args);
            } catch (InvocationTargetException e) {
                if (e.getCause() instanceof Exception ex) {
                    throw ex;
                }
                throw e;
            }
            return null;
        }
    }
}
