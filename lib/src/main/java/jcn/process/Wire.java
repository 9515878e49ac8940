package jcn.process;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * One connection between two JVMs of this library over a Unix domain socket, carrying frames
 * of a type byte, a length and a payload. Reading and writing may happen on different threads;
 * writes are serialised by a lock.
 */
final class Wire implements Closeable {

    private final SocketChannel channel;
    final DataInputStream in;
    private final DataOutputStream out;
    private final Object writeLock = new Object();

    Wire(SocketChannel channel) {
        this.channel = channel;
        this.in = new DataInputStream(new BufferedInputStream(inputOf(channel), 1 << 16));
        this.out = new DataOutputStream(new BufferedOutputStream(outputOf(channel), 1 << 16));
    }

    /** Connects to a hub, proves it holds the secret and names the endpoint wanted. */
    static Wire connect(Path socket, byte[] secret, long endpoint) throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.connect(UnixDomainSocketAddress.of(socket));
            Wire wire = new Wire(channel);
            synchronized (wire.writeLock) {
                wire.out.write(secret);
                wire.out.writeLong(endpoint);
                wire.out.flush();
            }
            return wire;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Sends one frame and flushes it. */
    void send(int type, byte[] payload) throws IOException {
        synchronized (writeLock) {
            out.writeByte(type);
            out.writeInt(payload.length);
            out.write(payload);
            out.flush();
        }
    }

    /** Sends one frame whose payload is a list of byte strings, each with its length. */
    void sendAll(int type, Iterable<byte[]> parts, int count) throws IOException {
        synchronized (writeLock) {
            int length = 4;
            for (byte[] part : parts) {
                length += 4 + part.length;
            }
            out.writeByte(type);
            out.writeInt(length);
            out.writeInt(count);
            for (byte[] part : parts) {
                out.writeInt(part.length);
                out.write(part);
            }
            out.flush();
        }
    }

    /** Sends a frame whose payload is one long: a request id, for most requests and replies. */
    void sendLong(int type, long value) throws IOException {
        synchronized (writeLock) {
            out.writeByte(type);
            out.writeInt(8);
            out.writeLong(value);
            out.flush();
        }
    }

    /** Sends a frame of a request id followed by an item's bytes. */
    void sendRequestItem(int type, long request, byte[] item) throws IOException {
        synchronized (writeLock) {
            out.writeByte(type);
            out.writeInt(8 + item.length);
            out.writeLong(request);
            out.write(item);
            out.flush();
        }
    }

    /** The payload of {@code frame} after its first {@code offset} bytes. */
    static byte[] rest(Frame frame, int offset) throws IOException {
        byte[] p = frame.payload();
        if (p.length < offset) {
            throw new IOException("corrupt frame: " + p.length + " bytes, expected at least " + offset);
        }
        return java.util.Arrays.copyOfRange(p, offset, p.length);
    }

    /** Reads the next frame; {@link EOFException} when the other side has gone. */
    Frame receive() throws IOException {
        int type = in.read();
        if (type < 0) {
            throw new EOFException("connection closed");
        }
        return new Frame(type, Frames.readPayload(in, Frames.readFrameLength(in, "a frame on a hub connection")));
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing a socket that is already gone is not an error worth reporting
        }
    }

    boolean isOpen() {
        return channel.isOpen();
    }

    /** A frame: its type and payload. */
    record Frame(int type, byte[] payload) {

        DataInputStream data() {
            return new DataInputStream(new java.io.ByteArrayInputStream(payload));
        }
    }

    // Plain adapters: Channels.newInputStream serialises reads and writes on older JDKs.
    private static InputStream inputOf(SocketChannel channel) {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                return channel.read(ByteBuffer.wrap(b, off, len));
            }
        };
    }

    private static OutputStream outputOf(SocketChannel channel) {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                ByteBuffer buffer = ByteBuffer.wrap(b, off, len);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
            }
        };
    }
}
