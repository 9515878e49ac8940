package jcn.process;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * This JVM's meeting point for its children: a Unix domain socket in a private directory,
 * a random secret, and the endpoints (children, queues, locks) that connections ask for.
 *
 * <p>A connection's first 32 bytes must be the secret, compared in constant time, before a
 * byte of it is read as anything else; the socket lives in a directory only this user may
 * enter, so nothing can listen in between. (A challenge and a hash would cost each child JVM
 * about 40 ms to start its security providers, for no gain on such a socket.) The hub opens when the first
 * endpoint registers and closes, with its thread, when the last one leaves, so a notebook that
 * has closed its pools and queues has no thread of this class left.
 */
final class Hub {

    /** Called on a thread of its own for each authenticated connection to an endpoint. */
    interface Endpoint {
        void connected(Wire wire) throws Exception;
    }

    /** Secrets of every hub this JVM may talk to: its own and those its parents passed down. */
    private static final Map<String, byte[]> KNOWN = new ConcurrentHashMap<>();
    private static final AtomicLong IDS = new AtomicLong();
    /** Bumped whenever {@link #KNOWN} changes, so a worker is sent the secrets only when they are new to it. */
    private static final java.util.concurrent.atomic.AtomicInteger VERSION = new java.util.concurrent.atomic.AtomicInteger();
    private static Hub current;

    final Path socket;
    final byte[] secret;
    private final Path dir;
    private final ServerSocketChannel server;
    private final Thread acceptor;
    private final Map<Long, Endpoint> endpoints = new ConcurrentHashMap<>();

    private Hub() throws IOException {
        dir = Files.createTempDirectory("jcn-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        socket = dir.resolve("hub");
        secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        KNOWN.put(socket.toString(), secret);
        VERSION.incrementAndGet();
        acceptor = new Thread(this::acceptLoop, "jcn-hub");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Registers an endpoint, opening the hub if needed; returns the hub and the endpoint's id. */
    static synchronized Registration register(Endpoint endpoint) {
        try {
            if (current == null) {
                current = new Hub();
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("could not open a Unix domain socket for child processes in "
                    + System.getProperty("java.io.tmpdir") + ": " + e.getMessage(), e);
        }
        long id = IDS.incrementAndGet();
        current.endpoints.put(id, endpoint);
        return new Registration(current, id);
    }

    /** The hub of this JVM if one is open. */
    static synchronized Hub current() {
        return current;
    }

    /** Removes an endpoint; the last one out closes the hub. */
    static void unregister(Registration registration) {
        Hub hub = registration.hub();
        Thread toJoin = null;
        synchronized (Hub.class) {
            hub.endpoints.remove(registration.id());
            if (hub.endpoints.isEmpty() && current == hub) {
                current = null;
                hub.closeServer();
                toJoin = hub.acceptor;
            }
        }
        if (toJoin != null && toJoin != Thread.currentThread()) {
            try {
                toJoin.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    static Endpoint local(String socketPath, long id) {
        Hub hub = current();
        return hub != null && hub.socket.toString().equals(socketPath) ? hub.endpoints.get(id) : null;
    }

    /** Opens an authenticated connection to an endpoint of any hub whose secret this JVM knows. */
    static Wire connect(String socketPath, long id) throws IOException {
        byte[] key = KNOWN.get(socketPath);
        if (key == null) {
            throw new IllegalStateException("this JVM holds no secret for " + socketPath
                    + "; a queue or lock can only be used by the JVM that made it and by its descendants");
        }
        return Wire.connect(Path.of(socketPath), key, id);
    }

    /** The secrets a child needs, as {@code path=hex} entries separated by {@code ;}. */
    static String secretsForChild() {
        Map<String, byte[]> copy = new LinkedHashMap<>(KNOWN);
        StringBuilder sb = new StringBuilder();
        copy.forEach((path, key) -> {
            if (!sb.isEmpty()) {
                sb.append(';');
            }
            sb.append(path).append('=').append(HexFormat.of().formatHex(key));
        });
        return sb.toString();
    }

    /** Changes whenever the secrets this JVM knows change. */
    static int secretsVersion() {
        return VERSION.get();
    }

    static void learnSecrets(String encoded) {
        for (String entry : encoded.split(";")) {
            int eq = entry.lastIndexOf('=');
            if (eq > 0) {
                KNOWN.put(entry.substring(0, eq), HexFormat.of().parseHex(entry.substring(eq + 1)));
            }
        }
        VERSION.incrementAndGet();
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            SocketChannel channel;
            try {
                channel = server.accept();
            } catch (IOException e) {
                return;
            }
            Thread handler = new Thread(() -> serve(channel), "jcn-hub-connection");
            handler.setDaemon(true);
            handler.start();
        }
    }

    /** How long a new connection has to send the secret and the endpoint's id. */
    static final long HELLO_MILLIS = 5000;

    private void serve(SocketChannel channel) {
        Wire wire = null;
        try {
            ByteBuffer hello = readHello(channel, secret.length + Long.BYTES);
            if (hello == null) {
                System.err.println("jcn: dropped a connection to " + socket + " that did not introduce itself within "
                        + HELLO_MILLIS + " ms");
                channel.close();
                return;
            }
            byte[] answer = new byte[secret.length];
            hello.get(answer);
            if (!MessageDigest.isEqual(answer, secret)) {
                System.err.println("jcn: refused a connection to " + socket + " that did not prove the secret");
                channel.close();
                return;
            }
            long id = hello.getLong();
            wire = new Wire(channel);
            Endpoint endpoint = endpoints.get(id);
            if (endpoint == null) {
                wire.close();
                return;
            }
            endpoint.connected(wire);
        } catch (Exception e) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // already closed
            }
        }
    }

    /**
     * Reads the first {@code length} bytes of a connection, waiting at most {@link #HELLO_MILLIS}:
     * a peer that connects and says nothing must not hold a thread of this JVM forever.
     * Returns {@code null} on timeout or end of stream; leaves the channel blocking.
     */
    private static ByteBuffer readHello(SocketChannel channel, int length) throws IOException {
        ByteBuffer hello = ByteBuffer.allocate(length);
        channel.configureBlocking(false);
        try (Selector selector = Selector.open()) {
            channel.register(selector, SelectionKey.OP_READ);
            long deadline = System.nanoTime() + HELLO_MILLIS * 1_000_000;
            while (hello.hasRemaining()) {
                long left = Time.millis(deadline - System.nanoTime());
                if (deadline - System.nanoTime() <= 0) {
                    return null;
                }
                selector.select(left);
                selector.selectedKeys().clear();
                if (channel.read(hello) < 0) {
                    return null;
                }
            }
        }
        channel.configureBlocking(true);
        return hello.flip();
    }

    private void closeServer() {
        try {
            server.close();
        } catch (IOException ignored) {
            // already closed
        }
        try {
            Files.deleteIfExists(socket);
            Files.deleteIfExists(dir);
        } catch (IOException ignored) {
            // a leftover empty directory in /tmp is harmless
        }
        KNOWN.remove(socket.toString());
        VERSION.incrementAndGet();
    }

    /** An endpoint's place in a hub. */
    record Registration(Hub hub, long id) {
        String socketPath() {
            return hub.socket.toString();
        }
    }
}
