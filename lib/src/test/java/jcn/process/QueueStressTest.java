package jcn.process;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Many processes on one bounded queue, one reader killed at a random moment: every item is
 * read exactly once, except at most the one item the killed reader was being handed, which is
 * what {@link ProcessQueue}'s contract allows it to lose.
 */
class QueueStressTest {

    static final int WRITERS = 4;
    static final int READERS = 4;
    static final int ITEMS = 100_000;
    static final int CAPACITY = 64;

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void fourWritersFourReadersOneReaderKilled() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        int perWriter = ITEMS / WRITERS;
        // The victim reports each item it takes before it asks for the next one: a put on a
        // bounded queue returns only once the item is stored, so what it took is never unknown.
        try (ProcessQueue<Integer> work = ProcessQueue.create(CAPACITY);
             ProcessQueue<Integer> taken = ProcessQueue.create(ITEMS)) {
            ChildProcess<Void> victim = ChildProcess.<Void>start(() -> {
                Integer item;
                while ((item = work.get()) != null) {
                    taken.put(item);
                }
                return null;
            }).named("victim");
            List<ChildProcess<int[]>> readers = new ArrayList<>();
            for (int r = 1; r < READERS; r++) {
                readers.add(ChildProcess.start(() -> {
                    int[] got = new int[ITEMS];
                    int n = 0;
                    Integer item;
                    while ((item = work.get()) != null) {
                        got[n++] = item;
                    }
                    return java.util.Arrays.copyOf(got, n);
                }));
            }
            List<ChildProcess<Void>> writers = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                int from = w * perWriter;
                writers.add(ChildProcess.<Void>start(() -> {
                    for (int i = from; i < from + perWriter; i++) {
                        work.put(i);
                    }
                    return null;
                }));
            }
            // Killed while it is reading for sure: after its first 50 items, at a random moment.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (taken.size() < 50) {
                assertTrue(System.nanoTime() < deadline, "the victim read nothing in 60 s (seed " + seed + ")");
                Thread.sleep(5);
            }
            Thread.sleep(random.nextInt(500));
            victim.kill();
            assertTrue(victim.join(Duration.ofSeconds(10)), "the killed reader ended");
            for (ChildProcess<Void> w : writers) {
                w.result();
            }
            for (int r = 1; r < READERS; r++) {
                work.putEnd();
            }
            BitSet seen = new BitSet(ITEMS);
            int duplicates = 0;
            int fromSurvivors = 0;
            for (ChildProcess<int[]> reader : readers) {
                for (int item : reader.result()) {
                    duplicates += seen.get(item) ? 1 : 0;
                    seen.set(item);
                    fromSurvivors++;
                }
            }
            int fromVictim = 0;
            while (true) {
                Integer item;
                try {
                    item = taken.get(Duration.ZERO);
                } catch (TimeoutException e) {
                    break;
                }
                duplicates += seen.get(item) ? 1 : 0;
                seen.set(item);
                fromVictim++;
            }
            int lost = ITEMS - seen.cardinality();
            String report = "seed " + seed + ": survivors read " + fromSurvivors + ", the killed reader " + fromVictim
                    + ", duplicates " + duplicates + ", lost " + lost;
            System.out.println("QueueStressTest " + report);
            assertEquals(0, duplicates, report);
            assertTrue(lost <= 1, "a killed reader may lose at most the item it was handed; " + report);
            assertEquals(0, work.size(), report);
            assertTrue(fromSurvivors > 0, report);
        }
    }
}
