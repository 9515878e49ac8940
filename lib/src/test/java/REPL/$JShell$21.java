package REPL;

import jcn.process.ProcessTask;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * What JShell makes of a later cell whose task reads {@code base} of another cell from several
 * threads at once, the first use of that cell's class in the child (see CellVariablesTest).
 */
public class $JShell$21 {

    /** The cell's lambda: eight threads, released together, each read the other cell's variable. */
    public static ProcessTask<List<Integer>> task() {
        return () -> {
            List<Integer> seen = Collections.synchronizedList(new ArrayList<>());
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    seen.add($JShell$20.base);
                }));
            }
            go.countDown();
            for (Thread t : threads) {
                t.join();
            }
            return seen;
        };
    }
}
