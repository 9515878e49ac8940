package jcn.bench;

import jcn.process.ChildProcess;
import jcn.process.ProcessPool;
import jcn.process.ProcessQueue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Measures the process half of the helper jar for {@code ./jcn bench processes}: child JVM
 * start to first result, pooled round trip of a trivial task, and queue throughput from a
 * child to its parent. Prints {@code key value} lines that {@code bench/processes.py} reads.
 */
public final class ProcessBenchmark {

    private ProcessBenchmark() {
    }

    /**
     * Arguments: start rounds, round trips, queue messages; or {@code cold N}, which only times N
     * cold starts (after two untimed ones) and prints them, for a caller that alternates blocks of
     * them with CPython's starts so that both sides meet the machine in the same state.
     */
    public static void main(String[] args) throws Exception {
        if (args.length == 2 && "cold".equals(args[0])) {
            List<Double> ms = coldStarts(Integer.parseInt(args[1]));
            System.out.println("cold_samples " + String.join(",", ms.stream().map(String::valueOf).toList()));
            return;
        }
        int starts = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        int trips = args.length > 1 ? Integer.parseInt(args[1]) : 5000;
        int messages = args.length > 2 ? Integer.parseInt(args[2]) : 500_000;

        // Cold starts first, as always: their figure comes from the `cold` mode, timed beside
        // CPython's, but here they still warm this JVM's start path up before the standby rows.
        coldStarts(starts);

        // Standby, spaced: each start finds a booted standby, as a notebook cell run after another does.
        ChildProcess.setStandby(1);
        List<Double> spaced = startTimes(starts + 2, true).subList(2, starts + 2);
        System.out.println("standby_ms " + median(spaced));
        System.out.println("standby_min_ms " + Collections.min(spaced));

        // Standby, back to back: the next start comes before the replacement standby has booted.
        List<Double> burst = startTimes(20, false);
        System.out.println("standby_burst_ms " + median(burst));

        // The round trip is a steady-state figure: the standby that the last start left booting
        // (a JVM's start-up, hundreds of milliseconds of CPU on this machine's cores) is let finish first.
        ChildProcess.awaitStandby(java.time.Duration.ofSeconds(10));
        try (ProcessPool pool = ProcessPool.create(1)) {
            // Warm-up until both JVMs' compilers are done with this path (about half a second
            // here), so that the rounds time the round trip and not the JIT sharing two cores.
            // The kernel rows below keep a reader's short warm-up.
            for (int i = 0; i < 20_000; i++) {
                pool.apply(() -> 1);
            }
            List<Double> rounds = new ArrayList<>();
            for (int r = 0; r < 5; r++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < trips; i++) {
                    pool.apply(() -> 1);
                }
                rounds.add((System.nanoTime() - t0) / 1e3 / trips);
            }
            System.out.println("apply_us " + median(rounds));
        }

        List<Double> rates = new ArrayList<>();
        for (int r = 0; r < 3; r++) {
            try (ProcessQueue<Integer> queue = ProcessQueue.create()) {
                int n = messages;
                ChildProcess<Void> writer = ChildProcess.<Void>start(() -> {
                    for (int i = 0; i < n; i++) {
                        queue.put(i);
                    }
                    queue.putEnd();
                    return null;
                });
                Integer first = queue.get();
                long t0 = System.nanoTime();
                int count = 1;
                long sum = first;
                Integer item;
                while ((item = queue.get()) != null) {
                    count++;
                    sum += item;
                }
                double seconds = (System.nanoTime() - t0) / 1e9;
                writer.result();
                if (count != n || sum != (long) n * (n - 1) / 2) {
                    throw new IllegalStateException("lost or changed messages: " + count + " of " + n);
                }
                rates.add(count / seconds);
            }
        }
        System.out.println("queue_per_s " + median(rates));

        // The other direction: a reader in a child, where each get is one request for one item,
        // so that several readers share a queue fairly and a killed one loses at most one item.
        List<Double> readRates = new ArrayList<>();
        int toRead = Math.max(1000, messages / 10);
        for (int r = 0; r < 3; r++) {
            try (ProcessQueue<Integer> queue = ProcessQueue.create()) {
                for (int i = 0; i < toRead; i++) {
                    queue.put(i);
                }
                queue.putEnd();
                double perSecond = ChildProcess.start(() -> {
                    int count = 1;
                    queue.get();
                    long t0 = System.nanoTime();
                    while (queue.get() != null) {
                        count++;
                    }
                    return (count - 1) / ((System.nanoTime() - t0) / 1e9);
                }).result();
                readRates.add(perSecond);
            }
        }
        System.out.println("queue_child_reads_per_s " + median(readRates));
    }

    // n cold child starts, in ms, after two untimed ones: no standby, every child boots its JVM.
    private static List<Double> coldStarts(int n) throws InterruptedException {
        ChildProcess.setStandby(0);
        return startTimes(n + 2, false).subList(2, n + 2);
    }

    // Child start to first result, in ms, n times; waitForStandby: first let the standby boot.
    private static List<Double> startTimes(int n, boolean waitForStandby) throws InterruptedException {
        List<Double> ms = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (waitForStandby && !ChildProcess.awaitStandby(java.time.Duration.ofSeconds(10))) {
                throw new IllegalStateException("the standby JVM did not boot within 10 s");
            }
            long t0 = System.nanoTime();
            int one = ChildProcess.start(() -> 1).result();
            ms.add((System.nanoTime() - t0) / 1e6);
            if (one != 1) {
                throw new IllegalStateException("wrong result " + one);
            }
        }
        return ms;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
