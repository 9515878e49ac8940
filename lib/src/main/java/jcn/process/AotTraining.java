package jcn.process;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Makes the ahead-of-time cache that child JVMs start from ({@code jcn-child.aot} beside the
 * helper jar), run by the build. It starts one child, a pool's worker, with
 * {@code -XX:AOTCacheOutput} and has it walk the usual path: orders, connection, a cell-style
 * lambda, a queue, a result; then 20 000 pooled tasks. JDK 25's cache then holds those classes
 * loaded and linked, which is most of a child's start-up, and the method profiles of a worker's
 * loop (JEP 515), so that a fresh worker's JIT starts from them rather than profiling that loop
 * first while a reader's first pooled tasks wait. On an older JDK it does nothing.
 */
public final class AotTraining {

    private AotTraining() {
    }

    /** Argument: where to write the cache. */
    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: AotTraining <cache file>");
            System.exit(2);
        }
        if (Runtime.version().feature() < 25) {
            System.out.println("JDK " + Runtime.version().feature() + ": no ahead-of-time cache for child JVMs (needs 25)");
            return;
        }
        Path cache = Path.of(args[0]).toAbsolutePath();
        Files.deleteIfExists(cache);
        // No standby: this JVM ends as soon as the cache is written, and a standby started meanwhile
        // would read a cache that is still being assembled.
        ChildProcess.setStandby(0);
        System.setProperty(Launcher.AOT_OUTPUT_PROPERTY, cache.toString());
        try (ProcessQueue<Object> queue = ProcessQueue.create(); ProcessPool pool = ProcessPool.create(1)) {
            int base = 40;
            int answer = pool.apply(() -> {
                queue.put("ready");
                queue.put(1);
                queue.putEnd();
                return base + 2;
            });
            int got = 0;
            for (Object item : queue) {
                got++;
            }
            if (answer != 42 || got != 2) {
                throw new IllegalStateException("the training child did not do its work");
            }
            // Enough round trips for the loop's methods to be compiled and their profiles kept.
            for (int i = 0; i < 20_000; i++) {
                pool.apply(() -> 1);
            }
        }
        if (!Files.isRegularFile(cache)) {
            throw new IllegalStateException("the training child wrote no cache to " + cache);
        }
        System.out.println("wrote " + cache + " (" + Files.size(cache) / 1024 + " KiB)");
    }
}
