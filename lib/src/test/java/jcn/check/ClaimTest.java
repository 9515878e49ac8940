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
}
