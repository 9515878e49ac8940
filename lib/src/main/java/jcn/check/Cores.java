package jcn.check;

/**
 * What this machine gives to threads that only compute, measured right now: the yardstick for a
 * claim that needs free cores. A notebook that claims "two threads are faster than one" can only
 * show it when two cores are free; on a one-core cloud notebook, or a laptop busy with something
 * else, the same code is not wrong, the machine just cannot show it. {@link #measure(int)} times
 * the same spinning work on one thread and on {@code threads} threads at once, so a claim can be
 * checked against what the hardware gives (see {@link Claim#onCores}).
 *
 * @param threads     how many spinning threads were measured against one
 * @param speedup     how many times more spinning work {@code threads} threads did per second
 *                    than one thread, the best of a few rounds
 * @param available   the processors this JVM may use ({@code availableProcessors}, which follows
 *                    {@code taskset} and container limits)
 */
public record Cores(int threads, double speedup, int available) {

    private static final long SPIN_NANOS = 25_000_000; // per round: long enough to span a scheduler tick
    private static final long WARM_UP_NANOS = 150_000_000;
    private static final long CHUNK = 10_000;
    private static volatile long sink;

    /**
     * Measures the speed-up of {@code threads} spinning threads over one: the best of three to
     * ten rounds, from about a fifth of a second on a free machine to about two thirds of one on
     * a busy one. Blocks while it measures.
     *
     * @throws IllegalArgumentException if {@code threads} is less than 2
     */
    public static Cores measure(int threads) {
        if (threads < 2) {
            throw new IllegalArgumentException("a speed-up needs at least 2 threads, not " + threads);
        }
        // A standby JVM booting in the background would take a core from the spinning threads.
        try {
            jcn.process.ChildProcess.awaitStandby(java.time.Duration.ofSeconds(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted before measuring the cores", e);
        }
        // Compiled code first: timing the interpreter against the JIT would invent a speed-up.
        // The work is many short calls, so every thread runs the compiled method from its start.
        long warmUntil = System.nanoTime() + WARM_UP_NANOS;
        while (System.nanoTime() < warmUntil) {
            spin(CHUNK);
        }
        long chunks = calibrate();
        long one = Long.MAX_VALUE;
        long many = Long.MAX_VALUE;
        // Best of up to ten rounds, stopping early once the threads got nearly a core each: the
        // JVM's own compiler threads, or a short burst elsewhere, take a core now and then.
        for (int round = 0; round < 10; round++) {
            one = Math.min(one, timeSpinning(1, chunks));
            many = Math.min(many, timeSpinning(threads, chunks));
            if (round >= 2 && threads * (double) one / many >= 0.9 * threads) {
                break;
            }
        }
        // More than one core per thread cannot be: a figure above it is noise in the one-thread run.
        double speedup = Math.min(threads, threads * (double) one / many);
        return new Cores(threads, Math.round(speedup * 100) / 100.0, Runtime.getRuntime().availableProcessors());
    }

    /** True if the machine gave at least {@code needed} times the speed of one thread to the spinning threads. */
    public boolean canShow(double needed) {
        return available >= threads && speedup >= needed;
    }

    /** One line for a reader: what the machine gave right now. */
    public String describe() {
        return String.format("this machine gave %.2fx to %d spinning threads right now (%d %s visible to the JVM)",
                speedup, threads, available, available == 1 ? "core" : "cores");
    }

    // How many chunks of spinning take about SPIN_NANOS on one thread here.
    private static long calibrate() {
        long chunks = 16;
        while (true) {
            long t0 = System.nanoTime();
            spinChunks(chunks);
            long took = System.nanoTime() - t0;
            if (took >= SPIN_NANOS / 4 || chunks > (1L << 40)) {
                return Math.max(1, (long) (chunks * (SPIN_NANOS / (double) Math.max(1, took))));
            }
            chunks *= 4;
        }
    }

    // Wall time for `count` threads to spin `chunks` chunks each.
    private static long timeSpinning(int count, long chunks) {
        Thread[] threads = new Thread[count];
        long t0 = System.nanoTime();
        for (int i = 0; i < count; i++) {
            threads[i] = Thread.ofPlatform().daemon().name("jcn-spin-" + i).start(() -> spinChunks(chunks));
        }
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while measuring the cores", e);
            }
        }
        return System.nanoTime() - t0;
    }

    private static void spinChunks(long chunks) {
        for (long c = 0; c < chunks; c++) {
            spin(CHUNK);
        }
    }

    private static void spin(long steps) {
        long x = sink + steps;
        for (long i = 0; i < steps; i++) {
            x = x * 6364136223846793005L + 1442695040888963407L;
        }
        sink = x;
    }
}
