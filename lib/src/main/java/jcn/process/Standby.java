package jcn.process;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Child JVMs started ahead of time, the twin of CPython's {@code forkserver}: a standby has
 * booted and waits for its orders, so a child that takes it skips the JVM's start-up.
 *
 * <p>When standbys are made: never before this JVM has started a child of its own (a notebook
 * that uses no process pays nothing); after that, each time a child ends, up to {@link #wanted()}
 * are kept. Replacing a standby when the child that took it ends, not when it is taken, keeps
 * the boot of the next one from competing for the cores with the work the child was taken for.
 *
 * <p>A standby is invisible once taken: it gets the child's name, orders, code path and
 * secrets at that moment, as a new JVM would. Only children with the default JVM options take
 * one. A standby is not counted against {@link ChildProcess#maxAlive()}; it ends when this JVM
 * ends, however it ends (its standard input closes), and at {@link #setWanted(int) setWanted(0)}.
 */
final class Standby {

    private static final Deque<Launcher.Child> READY = new ArrayDeque<>();
    private static final AtomicInteger NUMBERS = new AtomicInteger();
    private static volatile int wanted = 1;
    private static volatile List<String> classpath;
    // Children whose end brings a standby: an ended one may not have had its exit callback run yet.
    private static final java.util.Set<Process> WATCHED = java.util.concurrent.ConcurrentHashMap.newKeySet();

    // One thread, started on first use: a JVM is started here, never on a caller's thread.
    private static final ExecutorService STARTER = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "jcn-standby");
        t.setDaemon(true);
        return t;
    });

    private Standby() {
    }

    static int wanted() {
        return wanted;
    }

    static void setWanted(int count) {
        if (count < 0 || count > 8) {
            throw new IllegalArgumentException("the number of standby JVMs must be between 0 and 8, not " + count);
        }
        wanted = count;
        List<Launcher.Child> surplus = new java.util.ArrayList<>();
        synchronized (READY) {
            while (READY.size() > count) {
                surplus.add(READY.pollLast());
            }
        }
        surplus.forEach(c -> c.process().destroyForcibly());
    }

    /**
     * A standby renamed {@code name}, taken out of the reserve; {@code null} if none is alive or
     * the child needs other JVM options or another classpath than a standby has.
     */
    static Launcher.Child take(String name, CellCode code, List<String> jvmOptions) {
        if (!jvmOptions.isEmpty() || Launcher.training() || !code.childClasspath().equals(classpath)) {
            return null;
        }
        Launcher.Child standby;
        synchronized (READY) {
            do {
                standby = READY.pollFirst();
            } while (standby != null && !standby.process().isAlive());
        }
        if (standby == null) {
            return null;
        }
        standby.pipe().rename(name);
        standby.stderr().setName("jcn-errors-" + name);
        return new Launcher.Child(name, standby.process(), standby.pipe(), standby.stderr());
    }

    /** Tops the reserve up to {@link #wanted()} once {@code child} has ended. */
    static void replaceWhenEnded(Process child) {
        if (classpath == null) {
            classpath = CellCode.CLASSPATH.childClasspath();
        }
        WATCHED.add(child);
        child.onExit().thenRun(() -> {
            WATCHED.remove(child);
            childEnded();
        });
    }

    /**
     * A child has ended: top the reserve up in the background. Called when its exit callback
     * runs, or earlier by {@link #awaitBooted} when it finds the child gone first.
     */
    private static void childEnded() {
        try {
            STARTER.execute(Standby::topUp);
        } catch (RuntimeException e) {
            // this JVM is shutting down; no standby is wanted any more
        }
    }

    private static void topUp() {
        while (true) {
            synchronized (READY) {
                READY.removeIf(c -> !c.process().isAlive());
                if (READY.size() >= wanted || Launcher.training()) {
                    return;
                }
            }
            Launcher.Child standby;
            try {
                standby = Launcher.spawn("standby-" + NUMBERS.incrementAndGet(), classpath, List.of());
            } catch (RuntimeException e) {
                System.err.println("jcn: could not start a standby JVM (" + e.getMessage() + "); children start cold");
                return;
            }
            synchronized (READY) {
                // setStandby may have lowered the count while this JVM was being started.
                if (READY.size() >= wanted) {
                    standby.process().destroyForcibly();
                    return;
                }
                READY.addLast(standby);
            }
        }
    }

    /**
     * Waits at most {@code timeout} until every standby has booted; true if they all have (or
     * there are none). A measurement of this machine's cores calls this first, so a JVM
     * booting in the background does not count as a busy core.
     */
    static boolean awaitBooted(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        // A child that has just ended brings a standby, though its exit callback may still be to come.
        for (Process p : WATCHED) {
            if (!p.isAlive()) {
                WATCHED.remove(p);
                childEnded();
            }
        }
        // A top-up may be under way on the starter thread: let it finish placing its JVM first.
        try {
            STARTER.submit(() -> { }).get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return false;
        }
        List<Launcher.Child> standing;
        synchronized (READY) {
            standing = List.copyOf(READY);
        }
        for (Launcher.Child c : standing) {
            if (!c.pipe().awaitBooted(Math.max(0, deadline - System.nanoTime()))) {
                return false;
            }
        }
        return true;
    }

    /** The process ids of the standbys alive now. */
    static List<Long> pids() {
        synchronized (READY) {
            return READY.stream().filter(c -> c.process().isAlive()).map(c -> c.process().pid()).toList();
        }
    }

    /** Kills every standby; called when this JVM ends. */
    static void killAll() {
        synchronized (READY) {
            READY.forEach(c -> c.process().destroyForcibly());
            READY.clear();
        }
    }
}
