package jcn.bench;

import jcn.exec.ThreadPool;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

/**
 * Measures what {@link ThreadPool#map} costs per task over a raw {@link ExecutorService} doing
 * the same submit-all-then-get-all, on trivial tasks where only the overhead shows.
 *
 * <p>Prints one line, {@code tasks workers poolMapMicros rawMicros ratio}: the per-task costs are
 * medians over the rounds, and the ratio is the median of each round's pool/raw ratio (the two
 * run back to back in every round, so drift on a shared machine cancels out);
 * {@code bench/executors.py} runs it beside CPython and prints the table.
 */
public final class ExecutorBenchmark {

    private ExecutorBenchmark() {
    }

    /** Arguments: number of tasks (default 100 000), rounds (default 7). */
    public static void main(String[] args) throws Exception {
        int tasks = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 15;
        int workers = ThreadPool.defaultWorkers();
        List<Integer> inputs = IntStream.range(0, tasks).boxed().toList();

        double[] pool = new double[rounds];
        double[] raw = new double[rounds];
        double[] ratio = new double[rounds];
        for (int warm = 0; warm < 3; warm++) {
            poolMap(workers, inputs);
            rawExecutor(workers, inputs);
        }
        // Alternate the two so drift on a shared machine hits both alike.
        for (int r = 0; r < rounds; r++) {
            pool[r] = poolMap(workers, inputs) / tasks;
            raw[r] = rawExecutor(workers, inputs) / tasks;
            ratio[r] = pool[r] / raw[r];
        }
        System.out.printf(java.util.Locale.ROOT, "%d %d %.4f %.4f %.3f%n", tasks, workers, median(pool), median(raw),
                median(ratio));
    }

    private static double poolMap(int workers, List<Integer> inputs) throws Exception {
        try (ThreadPool pool = ThreadPool.fixed(workers)) {
            long t0 = System.nanoTime();
            List<Integer> out = pool.map(i -> i + 1, inputs);
            double micros = (System.nanoTime() - t0) / 1e3;
            check(out.size() == inputs.size());
            return micros;
        }
    }

    private static double rawExecutor(int workers, List<Integer> inputs) throws Exception {
        ExecutorService executor = Executors.newFixedThreadPool(workers);
        try {
            long t0 = System.nanoTime();
            List<Future<Integer>> futures = new ArrayList<>(inputs.size());
            for (Integer i : inputs) {
                futures.add(executor.submit(() -> i + 1));
            }
            List<Integer> out = new ArrayList<>(inputs.size());
            for (Future<Integer> f : futures) {
                out.add(f.get());
            }
            double micros = (System.nanoTime() - t0) / 1e3;
            check(out.size() == inputs.size());
            return micros;
        } finally {
            executor.shutdownNow();
        }
    }

    private static void check(boolean ok) {
        if (!ok) {
            throw new IllegalStateException("the benchmark lost results");
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
