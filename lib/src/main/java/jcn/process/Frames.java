package jcn.process;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Framing shared by every conversation of this library (hub sockets, a child's stdin and
 * stdout): strings with their length, and length reads that check before they allocate.
 *
 * <p>Why the checks: a length comes from another process, and that process may be broken, or
 * not even ours (a grandchild that inherited a child's stdout writes whatever it likes). An
 * unchecked {@code new byte[in.readInt()]} lets such bytes make this JVM allocate up to 2 GiB,
 * or throw a {@link NegativeArraySizeException} that nothing expects. Every length read here
 * is either bounded by the bytes that are really there (inside a payload already in memory) or
 * by {@link #MAX_FRAME} (a frame header on a stream), and a bad one is a
 * {@link CorruptFrameException} naming what was being read.
 */
final class Frames {

    /**
     * The largest frame any JVM of this library accepts: 64 MiB. Big enough for a task with its
     * cell classes and notebook variables, or a batch of queue items; small enough that a
     * corrupt header cannot make the reader hold more than this. Anything larger belongs in a
     * file whose path travels instead.
     */
    static final int MAX_FRAME = 64 << 20;

    // Up to this size a payload is allocated at once; above it, it grows as bytes really arrive,
    // so a header that lies about a large frame costs only what was sent.
    private static final int CHUNK = 1 << 16;

    private Frames() {
    }

    /** A length, count or tag read from another process made no sense; the conversation cannot go on. */
    static final class CorruptFrameException extends IOException {
        CorruptFrameException(String message) {
            super(message);
        }
    }

    /** Writes {@code s} as its UTF-8 length and bytes. */
    static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    /**
     * Reads what {@link #writeString} wrote from a payload in memory ({@link Wire.Frame#data()}).
     * {@code what} names the string in the error if its length is impossible.
     */
    static String readString(DataInputStream payload, String what) throws IOException {
        return new String(readBytes(payload, what), StandardCharsets.UTF_8);
    }

    /** Reads a length and that many bytes from a payload in memory. */
    static byte[] readBytes(DataInputStream payload, String what) throws IOException {
        byte[] b = new byte[readLength(payload, what)];
        payload.readFully(b);
        return b;
    }

    /**
     * Reads a byte length from a payload in memory: it must be at least 0 and at most the bytes
     * left. ({@code available()} is exact for the in-memory stream of {@link Wire.Frame#data()};
     * do not use this on a socket or pipe, use {@link #readFrameLength} there.)
     */
    static int readLength(DataInputStream payload, String what) throws IOException {
        int n = payload.readInt();
        return checkLength(n, payload.available(), what);
    }

    /**
     * The byte length at {@code payload[off]}, checked as {@link #readLength} checks it: for
     * code that reads a payload in memory straight from its array.
     */
    static int lengthAt(byte[] payload, int off, String what) throws IOException {
        if (off < 0 || payload.length - off < 4) {
            throw new CorruptFrameException("corrupt frame: it ends where the length of " + what + " should be");
        }
        int n = (payload[off] & 0xff) << 24 | (payload[off + 1] & 0xff) << 16 | (payload[off + 2] & 0xff) << 8
                | payload[off + 3] & 0xff;
        return checkLength(n, payload.length - off - 4, what);
    }

    private static int checkLength(int n, int left, String what) throws CorruptFrameException {
        if (n < 0 || n > left) {
            throw new CorruptFrameException("corrupt frame: the length of " + what + " is " + n
                    + " but only " + left + " bytes are left in the frame");
        }
        return n;
    }

    /**
     * Reads a count of entries each taking at least {@code minBytesEach} bytes, from a payload in
     * memory: a count the rest of the payload cannot hold is refused before anything is sized by it.
     */
    static int readCount(DataInputStream payload, int minBytesEach, String what) throws IOException {
        int n = payload.readInt();
        int left = payload.available();
        if (n < 0 || (long) n * minBytesEach > left) {
            throw new CorruptFrameException("corrupt frame: the count of " + what + " is " + n + " but the " + left
                    + " bytes left in the frame hold at most " + left / Math.max(1, minBytesEach));
        }
        return n;
    }

    /** Reads a frame's length from a stream: at least 0 and at most {@link #MAX_FRAME}. */
    static int readFrameLength(DataInputStream stream, String what) throws IOException {
        int n = stream.readInt();
        if (n < 0 || n > MAX_FRAME) {
            throw new CorruptFrameException("corrupt frame: " + what + " claims " + n + " bytes; the limit is "
                    + MAX_FRAME + " (" + (MAX_FRAME >> 20) + " MiB). Send larger data through a file and pass its path");
        }
        return n;
    }

    /**
     * Reads a payload of {@code length} bytes (already checked by {@link #readFrameLength}) from
     * a stream; {@link EOFException} if the stream ends first. A large payload is read in chunks
     * so that memory follows the bytes that actually arrive, not the header's claim.
     */
    static byte[] readPayload(DataInputStream stream, int length) throws IOException {
        if (length <= CHUNK) {
            byte[] payload = new byte[length];
            stream.readFully(payload);
            return payload;
        }
        byte[] payload = stream.readNBytes(length);
        if (payload.length != length) {
            throw new EOFException("the stream ended " + payload.length + " bytes into a frame of " + length);
        }
        return payload;
    }
}
