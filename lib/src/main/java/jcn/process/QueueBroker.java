package jcn.process;

import java.io.DataInputStream;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The queue itself, kept by the JVM that made it. Local callers use it directly; other JVMs
 * reach it over the hub. It stores items encoded, so an item is copied exactly as it would be
 * between processes, and the bound counts items stored plus room granted to remote writers
 * ("credits"), so it holds however many processes write.
 */
final class QueueBroker implements Hub.Endpoint {

    static final int PUT = 10;
    static final int GET = 11;
    static final int CANCEL_GET = 12;
    static final int CREDIT = 13;
    static final int RETURN = 14;
    static final int ITEMS = 20;
    static final int GRANT = 21;

    static final int MAX_BATCH = 256;

    private final int capacity;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<byte[]> items = new ArrayDeque<>();
    private final ArrayDeque<Conn> waitingReaders = new ArrayDeque<>();
    private final ArrayDeque<Conn> waitingWriters = new ArrayDeque<>();
    private final Set<Conn> conns = new HashSet<>();
    private int reserved;
    private int readers;
    private boolean localReader;
    private boolean closed;

    QueueBroker(int capacity) {
        this.capacity = capacity;
    }

    /** One remote process's connection. */
    private static final class Conn {
        final Wire wire;
        int credits;
        int wanted;
        boolean reader;

        Conn(Wire wire) {
            this.wire = wire;
        }
    }

    private record Send(Conn to, int type, List<byte[]> items, int count) {
    }

    private int room() {
        return capacity - items.size() - reserved;
    }

    // Called with the lock held; returns what to send once it is released.
    private List<Send> serve() {
        List<Send> out = new ArrayList<>();
        while (!items.isEmpty() && !waitingReaders.isEmpty()) {
            Conn c = waitingReaders.poll();
            List<byte[]> batch = takeBatch();
            out.add(new Send(c, ITEMS, batch, batch.size()));
        }
        while (!waitingWriters.isEmpty() && room() > 0) {
            Conn c = waitingWriters.poll();
            int grant = Math.min(c.wanted, room());
            reserved += grant;
            c.credits += grant;
            out.add(new Send(c, GRANT, null, grant));
        }
        if (!out.isEmpty() || !items.isEmpty()) {
            changed.signalAll();
        }
        return out;
    }

    private List<byte[]> takeBatch() {
        int sharers = Math.max(1, readers + (localReader ? 1 : 0));
        int n = Math.min(MAX_BATCH, Math.max(1, items.size() / sharers));
        List<byte[]> batch = new ArrayList<>(n);
        while (batch.size() < n && !items.isEmpty()) {
            byte[] item = items.poll();
            batch.add(item);
            if (Codec.isEnd(item)) {
                break;
            }
        }
        return batch;
    }

    private static void send(List<Send> sends) {
        for (Send s : sends) {
            try {
                if (s.type() == GRANT) {
                    s.to().wire.sendInt(GRANT, s.count());
                } else {
                    s.to().wire.sendAll(s.type(), s.items(), s.count());
                }
            } catch (IOException e) {
                s.to().wire.close();
            }
        }
    }

    @Override
    public void connected(Wire wire) throws IOException {
        Conn c = new Conn(wire);
        lock.lock();
        try {
            if (closed) {
                wire.close();
                return;
            }
            conns.add(c);
        } finally {
            lock.unlock();
        }
        try {
            while (true) {
                Wire.Frame frame = wire.receive();
                List<Send> sends;
                lock.lock();
                try {
                    sends = handle(c, frame);
                } finally {
                    lock.unlock();
                }
                send(sends);
            }
        } catch (IOException e) {
            // the other process closed its handle or died
        } finally {
            List<Send> sends;
            lock.lock();
            try {
                conns.remove(c);
                waitingReaders.remove(c);
                waitingWriters.remove(c);
                reserved -= c.credits;
                if (c.reader) {
                    readers--;
                }
                sends = serve();
                changed.signalAll();
            } finally {
                lock.unlock();
            }
            send(sends);
            wire.close();
        }
    }

    private List<Send> handle(Conn c, Wire.Frame frame) throws IOException {
        DataInputStream in = frame.data();
        switch (frame.type()) {
            case PUT, RETURN -> {
                int n = Frames.readCount(in, 4, "queue items");
                List<byte[]> got = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    byte[] item = Frames.readBytes(in, "a queue item");
                    got.add(item);
                }
                if (frame.type() == PUT) {
                    items.addAll(got);
                    if (capacity != Integer.MAX_VALUE) {
                        int used = Math.min(n, c.credits);
                        c.credits -= used;
                        reserved -= used;
                    }
                } else {
                    for (int i = got.size() - 1; i >= 0; i--) {
                        items.addFirst(got.get(i));
                    }
                }
                return serve();
            }
            case GET -> {
                if (!c.reader) {
                    c.reader = true;
                    readers++;
                }
                if (!items.isEmpty()) {
                    List<byte[]> batch = takeBatch();
                    List<Send> sends = new ArrayList<>(serve());
                    sends.add(0, new Send(c, ITEMS, batch, batch.size()));
                    return sends;
                }
                waitingReaders.add(c);
                return List.of();
            }
            case CANCEL_GET -> {
                if (waitingReaders.remove(c)) {
                    return List.of(new Send(c, ITEMS, List.of(), 0));
                }
                return List.of();
            }
            case CREDIT -> {
                c.wanted = Math.max(1, in.readInt());
                waitingWriters.add(c);
                return serve();
            }
            default -> throw new IOException("unknown queue frame " + frame.type());
        }
    }

    /** Puts an encoded item from this JVM, waiting for room until the deadline. */
    void put(byte[] item, long deadlineNanos) throws InterruptedException, TimeoutException {
        List<Send> sends;
        lock.lock();
        try {
            while (true) {
                checkOpen();
                if (room() > 0) {
                    break;
                }
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    throw new TimeoutException("the queue stayed full (" + capacity + " items) for the whole wait");
                }
                changed.awaitNanos(left);
            }
            items.add(item);
            sends = serve();
        } finally {
            lock.unlock();
        }
        send(sends);
    }

    /** Takes an encoded item in this JVM, waiting until the deadline. */
    byte[] take(long deadlineNanos) throws InterruptedException, TimeoutException {
        List<Send> sends;
        byte[] item;
        lock.lock();
        try {
            localReader = true;
            while (true) {
                checkOpen();
                if (!items.isEmpty()) {
                    break;
                }
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    throw new TimeoutException("no item arrived in the queue during the wait");
                }
                changed.awaitNanos(left);
            }
            item = items.poll();
            sends = serve();
        } finally {
            lock.unlock();
        }
        send(sends);
        return item;
    }

    int size() {
        lock.lock();
        try {
            return items.size();
        } finally {
            lock.unlock();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("this queue is closed; make a new one");
        }
    }

    /** Ends the queue for every process; returns how many items were left in it. */
    int close() {
        List<Conn> toClose;
        int left;
        lock.lock();
        try {
            if (closed) {
                return 0;
            }
            closed = true;
            left = items.size();
            items.clear();
            toClose = new ArrayList<>(conns);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        toClose.forEach(c -> c.wire.close());
        return left;
    }

    static long deadline(java.time.Duration timeout) {
        long nanos = timeout.toNanos();
        long now = System.nanoTime();
        return nanos >= Long.MAX_VALUE - now ? Long.MAX_VALUE : now + nanos;
    }

    static long remaining(long deadline) {
        return Math.max(0, deadline - System.nanoTime());
    }

    static long millis(long nanos) {
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos));
    }
}
