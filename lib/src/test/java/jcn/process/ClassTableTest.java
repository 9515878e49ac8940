package jcn.process;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The table of cell classes at the head of a task frame, as a child reads it: every class
 * arrives under its own name, what follows the table is read from the right place, and a
 * table whose lengths lie is refused with the frame's error, never read past its end.
 */
class ClassTableTest {

    // A task frame's delta: no reset, the classes, one variable; then a marker the task part would start with.
    private static byte[] delta(String[] names, byte[][] classes) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeBoolean(false);
        out.writeInt(names.length);
        for (int i = 0; i < names.length; i++) {
            Frames.writeString(out, names[i]);
            out.writeInt(classes[i].length);
            out.write(classes[i]);
        }
        out.writeInt(0);
        out.writeInt(0x5EED);
        return bytes.toByteArray();
    }

    @Test
    void everyClassArrivesUnderItsNameAndTheRestOfTheFrameFollows() throws IOException {
        String[] names = {"REPL.$JShell$12", "REPL.$JShell$13$Point", "REPL.$JShell$14$Größe"};
        byte[][] classes = {{1, 2, 3}, new byte[0], new byte[700]};
        Arrays.fill(classes[2], (byte) 7);
        byte[] payload = delta(names, classes);
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload));
        ChildCode code = ChildCode.apply(in, payload);
        for (int i = 0; i < names.length; i++) {
            assertArrayEquals(classes[i], code.cellClasses().get(names[i]), names[i]);
        }
        assertEquals(0x5EED, in.readInt(), "what follows the table is read from where it starts");
    }

    @Test
    void aTableWhoseLengthsLieIsRefusedAndNeverReadPastItsEnd() throws IOException {
        byte[] good = delta(new String[] {"REPL.$JShell$20", "REPL.$JShell$21"}, new byte[][] {{9, 9}, {8}});
        Random random = new Random(42);
        int refused = 0;
        for (int round = 0; round < 2000; round++) {
            byte[] bad = good.clone();
            // Overwrite one of the bytes of the table's lengths (after the reset flag and the count).
            int at = 5 + random.nextInt(bad.length - 5 - 8);
            bad[at] = (byte) random.nextInt(256);
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(bad));
            try {
                ChildCode.apply(in, bad);
            } catch (Frames.CorruptFrameException e) {
                assertTrue(e.getMessage().startsWith("corrupt frame:"), e.getMessage());
                refused++;
            } catch (java.io.EOFException e) {
                refused++; // the table's lengths added up, and what follows it was cut short
            }
            // Anything else (an index out of bounds, a negative array size) fails the test.
        }
        assertTrue(refused > 100, "lengths that lie were refused " + refused + " times of 2000");
        byte[] cut = Arrays.copyOf(good, 30); // ends right after the first class
        assertEquals(62, good.length);
        assertThrows(Frames.CorruptFrameException.class,
                () -> ChildCode.apply(new DataInputStream(new ByteArrayInputStream(cut)), cut));
    }
}
