package jcn.process;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Feeds malformed, truncated and random frames to the parent's two listening ends: a child's
 * stdout (through {@link Pipe}, from real processes) and a hub connection to a queue or a lock.
 * Each case must end in a clear error or a closed connection, within a bound, without an
 * uncaught error on any thread of this library; afterwards the queue and lock still serve a
 * well-behaved user. The seed is random per run and printed in every failure; rerun one with
 * {@code -Djcn.fuzz.seed=N}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WireFuzzTest {

    private static final long SEED = Long.getLong("jcn.fuzz.seed", new Random().nextLong());

    private final ConcurrentLinkedQueue<String> uncaught = new ConcurrentLinkedQueue<>();
    private Thread.UncaughtExceptionHandler previousHandler;
    private PrintStream realOut;
    private PrintStream realErr;
    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();

    @BeforeEach
    void watch() {
        previousHandler = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> uncaught.add(t.getName() + ": " + e));
        realOut = System.out;
        realErr = System.err;
        // The junk lines a fuzzed child "prints" are copied to System.out; keep them out of the build log.
        PrintStream capture = new PrintStream(printed, true, StandardCharsets.UTF_8);
        System.setOut(capture);
        System.setErr(capture);
    }

    @AfterEach
    void unwatch() {
        System.setOut(realOut);
        System.setErr(realErr);
        Thread.setDefaultUncaughtExceptionHandler(previousHandler);
    }

    private String seed() {
        return " (seed " + SEED + "; rerun with -Djcn.fuzz.seed=" + SEED + ")";
    }

    private String printedText() {
        synchronized (printed) {
            return printed.toString(StandardCharsets.UTF_8);
        }
    }

    private void assertNothingUncaught() {
        assertTrue(uncaught.isEmpty(), "uncaught errors on library threads: " + uncaught + seed());
    }

    // ---------------------------------------------------------------- a child's stdout

    /** How a fuzzed stream ends. */
    private enum Ending {
        NEGATIVE_LENGTH(true), OVER_CAP(true), MAX_INT(true),
        TRUNCATED_PAYLOAD(false), TRUNCATED_HEADER(false), MARK_THEN_RANDOM(false), RANDOM(false);

        final boolean corrupt;

        Ending(boolean corrupt) {
            this.corrupt = corrupt;
        }
    }

    private record Stream(byte[] bytes, List<Wire.Frame> frames, Ending ending, int cases) {
    }

    /**
     * Writes a stream of junk lines and good frames (with random types and payloads), ended by
     * one malformed piece. A corrupt length must stop the process; anything else must end with
     * the process's output.
     */
    private static Stream stream(Random random, int cases) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        List<Wire.Frame> frames = new ArrayList<>();
        for (int i = 0; i < cases; i++) {
            if (random.nextBoolean()) {
                // A random line: never starts with the mark's first byte, never holds a newline.
                int n = random.nextInt(300);
                out.write(1 + random.nextInt(255));
                for (int j = 0; j < n; j++) {
                    int b = random.nextInt(256);
                    out.write(b == '\n' ? ' ' : b);
                }
                out.write('\n');
            } else {
                byte[] payload = new byte[random.nextInt(4) == 0 ? random.nextInt(100_000) : random.nextInt(200)];
                random.nextBytes(payload);
                int type = random.nextInt(256);
                if (type == ChildMain.BOOTED && frames.isEmpty()) {
                    type = ChildMain.RESULT; // a first BOOTED frame is the pipe's own: it never reaches a reader
                }
                frames.add(new Wire.Frame(type, payload));
                out.write(Pipe.MARK);
                out.write(type);
                out.writeInt(payload.length);
                out.write(payload);
            }
        }
        Ending ending = Ending.values()[random.nextInt(Ending.values().length)];
        switch (ending) {
            case NEGATIVE_LENGTH -> header(out, -1 - random.nextInt(Integer.MAX_VALUE));
            case OVER_CAP -> header(out, Frames.MAX_FRAME + 1 + random.nextInt(Integer.MAX_VALUE - Frames.MAX_FRAME - 1));
            case MAX_INT -> header(out, Integer.MAX_VALUE);
            case TRUNCATED_PAYLOAD -> {
                header(out, 1000 + random.nextInt(Frames.MAX_FRAME - 1000));
                byte[] some = new byte[random.nextInt(1000)];
                random.nextBytes(some);
                out.write(some);
            }
            case TRUNCATED_HEADER -> {
                out.write(Pipe.MARK);
                out.write(random.nextInt(256));
                out.write(new byte[random.nextInt(4)]);
            }
            case MARK_THEN_RANDOM -> {
                out.write(Pipe.MARK);
                byte[] tail = new byte[random.nextInt(64)];
                random.nextBytes(tail);
                out.write(tail);
            }
            case RANDOM -> {
                byte[] tail = new byte[random.nextInt(4096)];
                random.nextBytes(tail);
                out.write(tail);
            }
        }
        out.flush();
        return new Stream(bytes.toByteArray(), frames, ending, cases + 1);
    }

    private static void header(DataOutputStream out, int length) throws IOException {
        out.write(Pipe.MARK);
        out.write(ChildMain.RESULT);
        out.writeInt(length);
    }

    @Test
    void corruptOrTruncatedOutputFromAProcessEndsOnlyThatProcess() throws Exception {
        Random random = new Random(SEED);
        Path dir = Files.createTempDirectory("jcn-fuzz-");
        int processes = 50;
        int cases = 0;
        try {
            for (int batch = 0; batch < processes; batch += 10) {
                List<Stream> streams = new ArrayList<>();
                List<Process> started = new ArrayList<>();
                List<Pipe> pipes = new ArrayList<>();
                for (int p = batch; p < batch + 10; p++) {
                    Stream s = stream(random, 40);
                    cases += s.cases();
                    Path file = dir.resolve("stream-" + p);
                    Files.write(file, s.bytes());
                    // A corrupt stream is followed by a long sleep: only the parent's kill can end it in time.
                    String script = s.ending().corrupt ? "cat \"$0\"; exec sleep 60" : "exec cat \"$0\"";
                    Process process = new ProcessBuilder("/bin/sh", "-c", script, file.toString()).start();
                    streams.add(s);
                    started.add(process);
                    pipes.add(new Pipe("fuzz-" + p, process));
                }
                for (int i = 0; i < streams.size(); i++) {
                    checkStream(batch + i, streams.get(i), started.get(i), pipes.get(i));
                }
            }
        } finally {
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.deleteIfExists(f);
                }
            }
            Files.deleteIfExists(dir);
        }
        assertTrue(cases >= 2000, "only " + cases + " cases");
        assertNothingUncaught();
    }

    private void checkStream(int p, Stream s, Process process, Pipe pipe) throws Exception {
        String what = "process " + p + " ending " + s.ending() + seed();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        List<Wire.Frame> got = new ArrayList<>();
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    process.destroyForcibly();
                    fail("the pipe neither delivered its end nor failed within 15 s: " + what);
                }
                Wire.Frame f = pipe.receive(left);
                if (f != null) {
                    got.add(f);
                }
            }
        } catch (EOFException expected) {
            // the end was delivered
        }
        assertTrue(got.size() >= s.frames().size(), "frames lost: " + got.size() + " of " + s.frames().size() + ", " + what);
        for (int i = 0; i < s.frames().size(); i++) {
            assertEquals(s.frames().get(i).type(), got.get(i).type(), "frame " + i + " type, " + what);
            assertArrayEquals(s.frames().get(i).payload(), got.get(i).payload(), "frame " + i + " payload, " + what);
        }
        if (s.ending().corrupt) {
            assertEquals(s.frames().size(), got.size(), "a corrupt header was taken as a frame: " + what);
            assertTrue(process.waitFor(10, TimeUnit.SECONDS), "a process that sent a corrupt frame was not stopped: " + what);
            assertTrue(printedText().contains("[fuzz-" + p + "] sent a corrupt frame (corrupt frame: a frame on stdout claims"),
                    "no clear line about the corrupt frame: " + what);
        } else {
            assertTrue(process.waitFor(10, TimeUnit.SECONDS), "cat did not end: " + what);
        }
        process.destroyForcibly();
    }

    /** The same from a real child JVM whose task writes a corrupt header to the real stdout. */
    @Test
    void aChildJvmThatWritesACorruptFrameDiesWithAClearError() {
        ChildProcess<Integer> child = ChildProcess.<Integer>of(() -> {
            FileOutputStream out = new FileOutputStream(FileDescriptor.out);
            out.write(new byte[] {'\n', 0, 0, 'j', 'c', ChildMain.RESULT, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xf0});
            out.flush();
            Thread.sleep(60_000);
            return 1;
        }).named("corrupter").start();
        long start = System.nanoTime();
        ChildDiedException e = assertThrows(ChildDiedException.class, child::result);
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(30), "took too long");
        assertTrue(e.getMessage().contains("SIGKILL"), e.getMessage());
        assertTrue(printedText().contains("[corrupter] sent a corrupt frame (corrupt frame: a frame on stdout claims -16 bytes"),
                printedText());
        assertNothingUncaught();
    }

    // ---------------------------------------------------------------- hub connections

    private static long endpointId(Object queueOrLock) throws ReflectiveOperationException {
        Field ref = queueOrLock.getClass().getDeclaredField("ref");
        ref.setAccessible(true);
        return ((SharedRef<?, ?>) ref.get(queueOrLock)).id();
    }

    private static SocketChannel open(Hub hub) throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channel.connect(UnixDomainSocketAddress.of(hub.socket));
        return channel;
    }

    private static void writeAll(SocketChannel channel, byte[] bytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    /** Whether the other side closed {@code channel} within {@code millis}, whatever it sent before. */
    private static boolean closedWithin(SocketChannel channel, long millis) throws IOException {
        channel.configureBlocking(false);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        ByteBuffer sink = ByteBuffer.allocate(1 << 16);
        try (Selector selector = Selector.open()) {
            channel.register(selector, SelectionKey.OP_READ);
            while (true) {
                sink.clear();
                int n;
                try {
                    n = channel.read(sink);
                } catch (IOException reset) {
                    return true;
                }
                if (n < 0) {
                    return true;
                }
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    return false;
                }
                selector.select(left);
                selector.selectedKeys().clear();
            }
        }
    }

    /** One malformed conversation; whether the broker must close it by itself (no end of input sent). */
    private record Case(byte[] bytes, boolean brokerMustClose) {
    }

    private static byte[] frame(int type, int claimedLength, byte[] payload) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.write(type);
        out.writeInt(claimedLength);
        out.write(payload);
        return bytes.toByteArray();
    }

    private static Case hubCase(Random random, int[] knownTypes) throws IOException {
        byte[] junk = new byte[random.nextInt(200)];
        random.nextBytes(junk);
        int unknownType;
        do {
            unknownType = random.nextInt(256);
        } while (contains(knownTypes, unknownType));
        return switch (random.nextInt(7)) {
            // random bytes: whatever they say, the end of input must end the conversation
            case 0 -> new Case(junk, false);
            // a length below zero or over the cap: refused at once, without waiting for its bytes
            case 1 -> new Case(frame(random.nextInt(256), -1 - random.nextInt(Integer.MAX_VALUE), junk), true);
            case 2 -> new Case(frame(random.nextInt(256),
                    Frames.MAX_FRAME + 1 + random.nextInt(Integer.MAX_VALUE - Frames.MAX_FRAME - 1), junk), true);
            // a frame cut short
            case 3 -> new Case(frame(knownTypes[random.nextInt(knownTypes.length)], junk.length + 1 + random.nextInt(100_000), junk), false);
            // a whole frame of a type the endpoint does not know
            case 4 -> new Case(frame(unknownType, junk.length, junk), true);
            // a known type with a random payload
            case 5 -> new Case(frame(knownTypes[random.nextInt(knownTypes.length)], junk.length, junk), false);
            // a PUT whose count or item length lies about the payload
            default -> {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                DataOutputStream out = new DataOutputStream(bytes);
                boolean lyingCount = random.nextBoolean();
                out.writeInt(lyingCount ? (random.nextBoolean() ? -1 - random.nextInt(1000) : 1000 + random.nextInt(Integer.MAX_VALUE - 1000)) : 1);
                out.writeInt(lyingCount ? junk.length : (random.nextBoolean() ? -1 - random.nextInt(Integer.MAX_VALUE) : junk.length + 1 + random.nextInt(Integer.MAX_VALUE - junk.length - 1)));
                out.write(junk);
                yield new Case(frame(QueueBroker.PUT, bytes.size(), bytes.toByteArray()), true);
            }
        };
    }

    private static boolean contains(int[] values, int value) {
        for (int v : values) {
            if (v == value) {
                return true;
            }
        }
        return false;
    }

    private void fuzzEndpoint(Hub hub, long id, int[] knownTypes, Random random, int cases, String what) throws Exception {
        for (int i = 0; i < cases; i++) {
            Case c = hubCase(random, knownTypes);
            try (SocketChannel channel = open(hub)) {
                ByteBuffer hello = ByteBuffer.allocate(40).put(hub.secret).putLong(id).flip();
                while (hello.hasRemaining()) {
                    channel.write(hello);
                }
                try {
                    writeAll(channel, c.bytes());
                    if (!c.brokerMustClose()) {
                        channel.shutdownOutput();
                    }
                } catch (IOException closedEarly) {
                    continue; // the broker hung up while we were writing: that is an end too
                }
                assertTrue(closedWithin(channel, 5000), what + " case " + i + " did not end within 5 s ("
                        + (c.brokerMustClose() ? "the broker should have refused it" : "after the end of input") + ")" + seed());
            }
        }
    }

    @Test
    void queueAndLockBrokersSurviveMalformedConversations() throws Exception {
        Random random = new Random(SEED ^ 0x5DEECE66DL);
        ProcessQueue<Integer> queue = ProcessQueue.create();
        ProcessLock lock = ProcessLock.create();
        try {
            Hub hub = Hub.current();
            long queueId = endpointId(queue);
            long lockId = endpointId(lock);
            fuzzEndpoint(hub, queueId, new int[] {QueueBroker.PUT, QueueBroker.GET, QueueBroker.CANCEL_GET,
                    QueueBroker.PUT_WAIT, QueueBroker.CANCEL_PUT, QueueBroker.RETURN}, random, 1000, "queue");
            fuzzEndpoint(hub, lockId, new int[] {ProcessLock.ACQUIRE, ProcessLock.RELEASE, ProcessLock.CANCEL},
                    random, 1000, "lock");
            assertNothingUncaught();

            // A well-behaved user, here and over the hub.
            // A fuzzed PUT_WAIT or RETURN whose bytes happen to form a well-formed item is a real
            // put; each such item must read back as a value or fail with a clear error.
            int left = queue.size();
            for (int i = 0; i < left; i++) {
                try {
                    queue.get(Duration.ofSeconds(5));
                } catch (RuntimeException clear) {
                    assertTrue(clear.getMessage() != null && !clear.getMessage().isBlank(), "no message: " + clear + seed());
                }
            }
            assertEquals(0, queue.size(), "items left after draining" + seed());
            queue.put(42);
            assertEquals(42, queue.get(Duration.ofSeconds(5)));
            ExecutorService reader = Executors.newSingleThreadExecutor();
            try (Wire wire = Wire.connect(hub.socket, hub.secret, queueId)) {
                wire.sendAll(QueueBroker.PUT, List.of(Codec.encodeItem(7)), 1);
                assertEquals(7, queue.get(Duration.ofSeconds(5)));
                queue.put(8);
                wire.sendLong(QueueBroker.GET, 99);
                Wire.Frame item = CompletableFuture.supplyAsync(() -> receive(wire), reader).get(5, TimeUnit.SECONDS);
                assertEquals(QueueBroker.ITEM, item.type());
                assertEquals(99, item.data().readLong());
                assertEquals(8, Codec.decodeItem(Wire.rest(item, 8), null));
            }
            try (ProcessLock.Held held = lock.acquire(Duration.ofSeconds(10))) {
                assertTrue(held != null);
            }
            try (Wire wire = Wire.connect(hub.socket, hub.secret, lockId)) {
                wire.sendLong(ProcessLock.ACQUIRE, 5);
                Wire.Frame granted = CompletableFuture.supplyAsync(() -> receive(wire), reader).get(10, TimeUnit.SECONDS);
                assertEquals(ProcessLock.GRANTED, granted.type());
                assertEquals(5, granted.data().readLong());
                wire.sendLong(ProcessLock.RELEASE, 5);
            } finally {
                reader.shutdownNow();
            }
            try (ProcessLock.Held held = lock.acquire(Duration.ofSeconds(10))) {
                assertTrue(held != null);
            }
        } finally {
            queue.close();
            lock.close();
        }
    }

    private static Wire.Frame receive(Wire wire) {
        try {
            return wire.receive();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aConnectionWithoutTheSecretIsDropped() throws Exception {
        ProcessQueue<Integer> queue = ProcessQueue.create();
        try {
            Hub hub = Hub.current();
            byte[] wrong = hub.secret.clone();
            wrong[0] ^= 1;
            try (SocketChannel channel = open(hub)) {
                writeAll(channel, ByteBuffer.allocate(40).put(wrong).putLong(endpointId(queue)).array());
                assertTrue(closedWithin(channel, 5000), "a connection with a wrong secret stayed open");
            }
            assertTrue(printedText().contains("refused a connection"), printedText());
            // Frames that follow a wrong secret are never read as frames: the queue is untouched.
            try (SocketChannel channel = open(hub)) {
                ByteArrayOutputStream put = new ByteArrayOutputStream();
                put.write(wrong);
                new DataOutputStream(put).writeLong(endpointId(queue));
                put.write(frame(QueueBroker.PUT, 9, new byte[] {0, 0, 0, 1, 0, 0, 0, 1, Codec.encodeItem(null)[0]}));
                writeAll(channel, put.toByteArray());
                assertTrue(closedWithin(channel, 5000), "a connection with a wrong secret stayed open");
            }
            assertEquals(0, queue.size());
            assertFalse(uncaught.stream().anyMatch(s -> s.startsWith("jcn-hub")), uncaught.toString());
        } finally {
            queue.close();
        }
    }

    @Test
    void aConnectionThatSaysTooLittleIsDroppedAfterTheHelloTimeout() throws Exception {
        ProcessQueue<Integer> queue = ProcessQueue.create();
        try {
            Hub hub = Hub.current();
            try (SocketChannel channel = open(hub)) {
                writeAll(channel, java.util.Arrays.copyOf(hub.secret, 10));
                long start = System.nanoTime();
                assertTrue(closedWithin(channel, Hub.HELLO_MILLIS + 3000), "a connection that sent 10 bytes and went"
                        + " quiet still holds a hub thread after " + (Hub.HELLO_MILLIS + 3000) + " ms");
                long waited = (System.nanoTime() - start) / 1_000_000;
                assertTrue(waited >= Hub.HELLO_MILLIS / 2, "dropped only for its silence, after " + waited + " ms");
            }
            assertTrue(printedText().contains("did not introduce itself"), printedText());
            queue.put(1);
            assertEquals(1, queue.get(Duration.ofSeconds(5)));
        } finally {
            queue.close();
        }
    }
}
