package jcn.process;

import java.io.DataInputStream;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The queue itself, kept by the JVM that made it. Local callers use it directly; other JVMs
 * reach it over the hub. Items are stored encoded, so an item is copied exactly as it would be
 * between processes.
 *
 * <p>The contract it keeps, the same as {@code multiprocessing.Queue}'s:
 * <ul>
 *   <li>Each item goes to exactly one reader. Readers that wait are served first come, first
 *       served, whichever process they are in; a remote reader is sent one item per request,
 *       so no reader holds items that another reader could have had.</li>
 *   <li>The bound counts the items stored and nothing else: a writer waits only while the
 *       queue holds {@code capacity} items, however many processes write.</li>
 *   <li>A request that gives up (timeout, interrupt) is withdrawn by id; the broker answers
 *       either "withdrawn" or with what it had already done, so nothing is left reserved.</li>
 * </ul>
 * No socket is written while the lock is held: what to send is collected and sent after.
 */
final class QueueBroker implements Hub.Endpoint {

    // Client to broker.
    static final int PUT = 10;          // unbounded queue: a batch of items, no answer
    static final int GET = 11;          // request id: one item, answered by ITEM or GET_CANCELLED
    static final int CANCEL_GET = 12;   // request id
    static final int PUT_WAIT = 13;     // bounded queue: request id and one item, answered by PUT_DONE or PUT_CANCELLED
    static final int CANCEL_PUT = 14;   // request id
    static final int RETURN = 15;       // an item handed out that its reader gave back (an interrupted get)
    // Broker to client.
    static final int ITEM = 20;
    static final int GET_CANCELLED = 21;
    static final int PUT_DONE = 22;
    static final int PUT_CANCELLED = 23;

    /** The most items a PUT batch may announce; a batch is sent in frames of at most this many. */
    static final int MAX_BATCH = 4096;

    private final int capacity;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<byte[]> items = new ArrayDeque<>();
    private final ArrayDeque<Reader> readers = new ArrayDeque<>();
    private final ArrayDeque<Writer> writers = new ArrayDeque<>();
    private final Set<Wire> wires = new HashSet<>();
    private boolean closed;

    QueueBroker(int capacity) {
        this.capacity = capacity;
    }

    /** A reader waiting for an item: a local thread ({@code wire == null}) or a remote request. */
    private static final class Reader {
        final Wire wire;
        final long request;
        byte[] handed;

        Reader(Wire wire, long request) {
            this.wire = wire;
            this.request = request;
        }
    }

    /** A writer waiting for room, with its item: a local thread or a remote request. */
    private static final class Writer {
        final Wire wire;
        final long request;
        final byte[] item;
        boolean stored;

        Writer(Wire wire, long request, byte[] item) {
            this.wire = wire;
            this.request = request;
            this.item = item;
        }
    }

    /** A reply to send once the lock is released. */
    private record Send(Wire to, int type, long request, byte[] item) {
    }

    // With the lock held: moves items to waiting readers and waiting writers' items into the
    // queue, in arrival order, until neither can move; returns the replies for remote ones.
    private List<Send> serve(List<Send> out) {
        boolean moved = true;
        boolean any = false;
        while (moved) {
            moved = false;
            while (!items.isEmpty() && !readers.isEmpty()) {
                Reader r = readers.poll();
                byte[] item = items.poll();
                if (r.wire == null) {
                    r.handed = item;
                } else {
                    out.add(new Send(r.wire, ITEM, r.request, item));
                }
                moved = true;
            }
            while (!writers.isEmpty() && items.size() < capacity) {
                Writer w = writers.poll();
                items.add(w.item);
                w.stored = true;
                if (w.wire != null) {
                    out.add(new Send(w.wire, PUT_DONE, w.request, null));
                }
                moved = true;
            }
            any |= moved;
        }
        if (any) {
            changed.signalAll();
        }
        return out;
    }

    private static void send(List<Send> sends) {
        for (Send s : sends) {
            try {
                if (s.type() == ITEM) {
                    s.to().sendRequestItem(ITEM, s.request(), s.item());
                } else {
                    s.to().sendLong(s.type(), s.request());
                }
            } catch (IOException e) {
                // The reader's process is gone; the item it was handed goes with it, the one
                // item the queue's contract allows a killed reader to lose.
                s.to().close();
            }
        }
    }

    @Override
    public void connected(Wire wire) {
        lock.lock();
        try {
            if (closed) {
                wire.close();
                return;
            }
            wires.add(wire);
        } finally {
            lock.unlock();
        }
        try {
            while (true) {
                Wire.Frame frame = wire.receive();
                List<Send> sends = new ArrayList<>(2);
                lock.lock();
                try {
                    handle(wire, frame, sends);
                } finally {
                    lock.unlock();
                }
                send(sends);
            }
        } catch (IOException e) {
            // the other process closed its handle, died, or sent something this queue cannot read
        } finally {
            List<Send> sends = new ArrayList<>();
            lock.lock();
            try {
                wires.remove(wire);
                readers.removeIf(r -> r.wire == wire);
                // A writer that died waiting for room never saw its put succeed: its item is dropped.
                writers.removeIf(w -> w.wire == wire);
                serve(sends);
            } finally {
                lock.unlock();
            }
            send(sends);
            wire.close();
        }
    }

    private void handle(Wire wire, Wire.Frame frame, List<Send> sends) throws IOException {
        DataInputStream in = frame.data();
        switch (frame.type()) {
            case PUT -> {
                if (capacity != Integer.MAX_VALUE) {
                    throw new IOException("an unacknowledged PUT on a bounded queue");
                }
                int n = Frames.readCount(in, 4, "queue items");
                for (int i = 0; i < n; i++) {
                    items.add(Frames.readBytes(in, "a queue item"));
                }
                serve(sends);
            }
            case PUT_WAIT -> {
                writers.add(new Writer(wire, in.readLong(), Wire.rest(frame, 8)));
                serve(sends);
            }
            case RETURN -> {
                items.addFirst(frame.payload());
                serve(sends);
            }
            case GET -> {
                readers.add(new Reader(wire, in.readLong()));
                serve(sends);
            }
            case CANCEL_GET -> {
                long request = in.readLong();
                if (remove(readers.iterator(), wire, request)) {
                    sends.add(new Send(wire, GET_CANCELLED, request, null));
                }
            }
            case CANCEL_PUT -> {
                long request = in.readLong();
                Iterator<Writer> it = writers.iterator();
                while (it.hasNext()) {
                    Writer w = it.next();
                    if (w.wire == wire && w.request == request) {
                        it.remove();
                        sends.add(new Send(wire, PUT_CANCELLED, request, null));
                        break;
                    }
                }
            }
            default -> throw new IOException("unknown queue frame type " + frame.type());
        }
    }

    private static boolean remove(Iterator<Reader> it, Wire wire, long request) {
        while (it.hasNext()) {
            Reader r = it.next();
            if (r.wire == wire && r.request == request) {
                it.remove();
                return true;
            }
        }
        return false;
    }

    /**
     * Puts an encoded item from this JVM, waiting for room until the deadline. An interrupted
     * or timed-out put leaves nothing behind: its item is either in the queue (and the call
     * returns normally) or not.
     */
    void put(byte[] item, long deadlineNanos) throws InterruptedException, TimeoutException {
        List<Send> sends = new ArrayList<>(1);
        try {
            putLocked(item, deadlineNanos, sends);
        } finally {
            send(sends);
        }
    }

    private void putLocked(byte[] item, long deadlineNanos, List<Send> sends) throws InterruptedException, TimeoutException {
        lock.lock();
        try {
            checkOpen();
            if (writers.isEmpty() && items.size() < capacity) {
                items.add(item);
                serve(sends);
            } else {
                Writer me = new Writer(null, 0, item);
                writers.add(me);
                serve(sends);
                try {
                    while (!me.stored) {
                        if (closed) {
                            writers.remove(me);
                            checkOpen();
                        }
                        long left = deadlineNanos - System.nanoTime();
                        if (left <= 0) {
                            writers.remove(me);
                            throw new TimeoutException("the queue stayed full (" + capacity + " items) for the whole wait");
                        }
                        changed.awaitNanos(left);
                    }
                } catch (InterruptedException e) {
                    if (me.stored) {
                        Thread.currentThread().interrupt();
                    } else {
                        writers.remove(me);
                        throw e;
                    }
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes an encoded item in this JVM, waiting until the deadline, in turn with readers of
     * other processes. An interrupted take puts back an item it was handed at the same moment.
     */
    byte[] take(long deadlineNanos) throws InterruptedException, TimeoutException {
        List<Send> sends = new ArrayList<>(1);
        try {
            return takeLocked(deadlineNanos, sends);
        } finally {
            send(sends);
        }
    }

    private byte[] takeLocked(long deadlineNanos, List<Send> sends) throws InterruptedException, TimeoutException {
        byte[] item;
        lock.lock();
        try {
            checkOpen();
            if (readers.isEmpty() && !items.isEmpty()) {
                item = items.poll();
            } else {
                Reader me = new Reader(null, 0);
                readers.add(me);
                serve(sends);
                try {
                    while (me.handed == null) {
                        if (closed) {
                            readers.remove(me);
                            checkOpen();
                        }
                        long left = deadlineNanos - System.nanoTime();
                        if (left <= 0) {
                            readers.remove(me);
                            throw new TimeoutException("no item arrived in the queue during the wait");
                        }
                        changed.awaitNanos(left);
                    }
                } catch (InterruptedException e) {
                    if (me.handed != null) {
                        items.addFirst(me.handed);
                    } else {
                        readers.remove(me);
                    }
                    serve(sends);
                    throw e;
                }
                item = me.handed;
            }
            serve(sends);
        } finally {
            lock.unlock();
        }
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
            throw new IllegalStateException("this queue is closed; make a new one with ProcessQueue.create()");
        }
    }

    /** Ends the queue for every process; returns how many items were left in it. */
    int close() {
        List<Wire> toClose;
        int left;
        lock.lock();
        try {
            if (closed) {
                return 0;
            }
            closed = true;
            left = items.size();
            items.clear();
            toClose = new ArrayList<>(wires);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        toClose.forEach(Wire::close);
        return left;
    }
}
