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
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.attribute.AclEntry;
import java.nio.file.attribute.AclEntryPermission;
import java.nio.file.attribute.AclEntryType;
import java.nio.file.attribute.AclFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
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
        Place place = placeFor(Path.of(System.getProperty("java.io.tmpdir")), System.getProperty("os.name", ""));
        if (place.notice() != null && NOTICE_PRINTED.compareAndSet(false, true)) {
            System.err.println(place.notice());
        }
        dir = privateDirectory(place.parent(), FileSystems.getDefault().supportedFileAttributeViews());
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

    // ------------------------------------------------------------------ where the socket lives

    /** Longest Unix socket path, in bytes, that macOS accepts: its sun_path holds 104 with the final NUL. */
    static final int MAC_PATH_LIMIT = 103;
    /** Likewise on Linux (and Windows' AF_UNIX), whose sun_path holds 108. */
    static final int LINUX_PATH_LIMIT = 107;
    /** Bytes the socket path adds to its parent: "/jcn-", up to 20 random digits, "/hub". */
    static final int PATH_SUFFIX = "/jcn-".length() + 20 + "/hub".length();
    private static final AtomicBoolean NOTICE_PRINTED = new AtomicBoolean();

    /** Where to make the socket's directory, and what to tell the user about it once (or null). */
    record Place(Path parent, String notice) {
    }

    /**
     * Picks the directory the hub's private directory goes into: {@code tmpdir} when the socket
     * path inside it fits the platform's limit, else {@code /tmp} with a notice saying why. A long
     * TMPDIR is common on macOS ({@code /var/folders/...}, or longer under some sandboxes) and a
     * socket path over the limit cannot be bound at all.
     *
     * @param tmpdir the JVM's {@code java.io.tmpdir}
     * @param osName the JVM's {@code os.name}; {@code Mac...} has the shorter limit
     * @return the parent directory to use and the one-line notice to print, if any
     * @throws IllegalStateException when neither {@code tmpdir} nor a fallback fits, saying what to set
     */
    static Place placeFor(Path tmpdir, String osName) {
        int limit = osName.startsWith("Mac") ? MAC_PATH_LIMIT : LINUX_PATH_LIMIT;
        if (fits(tmpdir, limit)) {
            return new Place(tmpdir, null);
        }
        // Windows has no /tmp; its long user temp folder gets a clear message instead.
        Path fallback = osName.startsWith("Windows") ? null : Path.of("/tmp");
        if (fallback == null || !fits(fallback, limit) || !Files.isDirectory(fallback) || !Files.isWritable(fallback)) {
            throw new IllegalStateException("jcn: the temporary folder " + tmpdir + " is too long for a Unix socket path ("
                    + limit + " bytes at most on " + osName + ", with " + PATH_SUFFIX + " more for the socket) and "
                    + (fallback == null ? "there is no /tmp to use instead" : fallback + " cannot be used instead")
                    + "; start the JVM with a shorter -Djava.io.tmpdir (or TMPDIR)");
        }
        return new Place(fallback, "jcn: the temporary folder " + tmpdir + " would make the child-process socket path longer than "
                + limit + " bytes (the limit on " + osName + "); using " + fallback + " for it instead");
    }

    private static boolean fits(Path parent, int limit) {
        return parent.toAbsolutePath().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length + PATH_SUFFIX <= limit;
    }

    /** How the hub's directory is kept to this user, given the file system's attribute views. */
    enum Privacy {
        POSIX, ACL
    }

    /**
     * Chooses how to make the socket's directory private: POSIX permissions where the file system
     * has them, an owner-only ACL where it has ACLs instead (Windows).
     *
     * @param views the names of the default file system's supported attribute views
     * @return the mechanism to use
     * @throws UnsupportedOperationException when the file system offers neither, naming WSL2 as
     *                                       the supported way to run the notebooks on Windows
     */
    static Privacy privacyFor(Set<String> views) {
        if (views.contains("posix")) {
            return Privacy.POSIX;
        }
        if (views.contains("acl")) {
            return Privacy.ACL;
        }
        throw new UnsupportedOperationException("jcn: this file system can restrict a directory neither with POSIX permissions "
                + "nor with ACLs (it offers " + views + "), so the socket of child processes cannot be kept private to "
                + "this user; run the notebooks under Linux, macOS or, on Windows, WSL2 with the Linux steps of the README");
    }

    /** Makes a fresh directory in {@code parent} that only this user may enter. */
    static Path privateDirectory(Path parent, Set<String> views) throws IOException {
        switch (privacyFor(views)) {
            case POSIX -> {
                return Files.createTempDirectory(parent, "jcn-",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            default -> {
                // The directory is made with the parent's inherited ACL, then its ACL is replaced by one
                // entry: full control for the owner. Nothing is placed in it before that.
                Path dir = Files.createTempDirectory(parent, "jcn-");
                AclFileAttributeView acl = Files.getFileAttributeView(dir, AclFileAttributeView.class);
                UserPrincipal owner = acl.getOwner();
                acl.setAcl(List.of(AclEntry.newBuilder().setType(AclEntryType.ALLOW).setPrincipal(owner)
                        .setPermissions(Set.of(AclEntryPermission.values())).build()));
                return dir;
            }
        }
    }

    /** Registers an endpoint, opening the hub if needed; returns the hub and the endpoint's id. */
    static synchronized Registration register(Endpoint endpoint) {
        try {
            if (current == null) {
                current = new Hub();
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("could not open a Unix domain socket for child processes under "
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
