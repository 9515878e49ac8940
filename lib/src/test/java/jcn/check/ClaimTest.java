package jcn.check;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClaimTest {

    private String captureOut(Runnable action) {
        PrintStream old = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setOut(old);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aClaimThatHoldsIsPrintedWithItsEvidence() {
        String out = captureOut(() -> Claim.that("the lock makes it 0", true, 0));
        assertEquals("✔ the lock makes it 0 (observed: 0)\n", out);
    }

    @Test
    void aClaimThatFailsThrowsWithTheClaimAndTheEvidence() {
        ClaimFailedException e = assertThrows(ClaimFailedException.class,
                () -> Claim.equal("the lock makes it 0", 0L, 17L));
        assertTrue(e.getMessage().contains("\"the lock makes it 0\""), e.getMessage());
        assertTrue(e.getMessage().contains("expected 0, got 17"), e.getMessage());
    }

    @Test
    void boundsCompareAndReturnTheValue() {
        assertEquals(3.5, captureAndReturn(() -> Claim.atLeast("fast enough", 2, 3.5)));
        assertThrows(ClaimFailedException.class, () -> Claim.atMost("small", 1, 1.5));
        assertThrows(NullPointerException.class, () -> Claim.that(null, true));
    }

    private double captureAndReturn(java.util.function.DoubleSupplier s) {
        double[] v = new double[1];
        captureOut(() -> v[0] = s.getAsDouble());
        return v[0];
    }

    @Test
    void aCoreClaimIsNotCheckedWhereTheMachineCannotShowIt() {
        Cores oneCore = new Cores(2, 1.02, 1);
        String out = captureOut(() -> assertEquals(false,
                Claim.onCores(oneCore, 1.5, "2 threads are faster than 1", false, "1.01x")));
        assertTrue(out.startsWith("○ not checked in this run: 2 threads are faster than 1."), out);
        assertTrue(out.contains("gave 1.02x to 2 spinning threads") && out.contains("needs 2 free cores"), out);
        Cores busy = new Cores(2, 1.1, 2);
        assertTrue(captureOut(() -> Claim.onCores(busy, 1.5, "x", false, null)).contains("not checked"));
    }

    @Test
    void aCoreClaimTheMachineCouldShowIsChecked() {
        Cores free = new Cores(2, 1.9, 2);
        assertThrows(ClaimFailedException.class, () -> Claim.onCores(free, 1.5, "2 threads are faster than 1", false, "1.01x"));
        String out = captureOut(() -> assertTrue(Claim.onCores(free, 1.5, "2 threads are faster than 1", true, "1.8x")));
        assertTrue(out.startsWith("✔ 2 threads are faster than 1"), out);
    }

    @Test
    void theBaselineIsMeasuredOnThisMachine() {
        Cores cores = Cores.measure(2);
        assertEquals(Runtime.getRuntime().availableProcessors(), cores.available());
        assertTrue(cores.speedup() > 0.3 && cores.speedup() < 2.6, cores.describe());
        assertThrows(IllegalArgumentException.class, () -> Cores.measure(1));
    }

    @Test
    void aJvmPinnedToOneCoreCannotShowATwoThreadClaim() throws Exception {
        if (!new java.io.File("/usr/bin/taskset").canExecute()) {
            return; // util-linux is on every Debian; without it there is nothing to pin with
        }
        String javaBin = java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder("/usr/bin/taskset", "-c", "0", javaBin, "-cp", System.getProperty("java.class.path"),
                PinnedProbe.class.getName()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "the pinned JVM did not finish");
        assertTrue(out.contains("1 core visible") && out.contains("○ not checked in this run"), out);
    }

    /** Runs in a JVM pinned to one core by the test above. */
    public static final class PinnedProbe {
        public static void main(String[] args) {
            Cores cores = Cores.measure(2);
            System.out.println(cores.describe());
            Claim.onCores(cores, 1.5, "2 threads are faster than 1", false, null);
        }
    }
}
