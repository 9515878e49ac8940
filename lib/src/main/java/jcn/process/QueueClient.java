package jcn.process;

import java.io.DataInputStream;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;

/**
 * A queue reached from another JVM than the one that made it. Puts are handed to a sending
 * thread that writes whatever has piled up in one frame, like the feeder thread of Python's
 * {@code multiprocessing.Queue}, but batched; gets take a batch at a time, never more than a
 * fair share when several processes read. Items it holds but did not hand out go back to the
 * queue when it closes.
 */
final class QueueClient {

    private static final Set<QueueClient> OPEN = ConcurrentHashMap.newKeySet();
    private static final int CREDIT_BATCH = 64;

    private final Wire wire;
    private final boolean bounded;
    private final Object lock = new Object();
    private final ArrayDeque<byte[]> buffer = new ArrayDeque<>();
    private List<byte[]> pending = new ArrayList<>();
    private boolean sending;
    private boolean getOutstanding;
    private boolean creditOutstanding;
    private int credits;
    private boolean gone;
    private boolean closing;
    private final Thread receiver;
    private final Thread sender;

    QueueClient(String hub, long id, int capacity) throws IOException {
        this.wire = Hub.connect(hub, id);
        this.bounded = capacity != Integer.MAX_VALUE;
        receiver = new Thread(this::receive, "jcn-queue-receive");
        receiver.setDaemon(true);
        sender = new Thread(this::sendLoop, "jcn-queue-send");
        sender.setDaemon(true);
        receiver.start();
        sender.start();
        OPEN.add(this);
    }

    /** Sends what every queue handle of this JVM still holds: a child does this before it answers. */
    static void flushAll() {
        for (QueueClient c : OPEN) {
            c.flush(5_000_000_000L);
        }
    }

    /** Flushes and closes every queue handle of this JVM. */
    static void closeAll() {
        for (QueueClient c : OPEN) {
            c.close();
        }
    }

    private void receive() {
        try {
            while (true) {
                Wire.Frame frame = wire.receive();
                DataInputStream in = frame.data();
                synchronized (lock) {
                    if (frame.type() == QueueBroker.ITEMS) {
                        int n = in.readInt();
                        for (int i = 0; i < n; i++) {
                            byte[] item = new byte[in.readInt()];
                            in.readFully(item);
                            buffer.add(item);
                        }
                        getOutstanding = false;
                    } else if (frame.type() == QueueBroker.GRANT) {
                        credits += in.readInt();
                        creditOutstanding = false;
                    }
                    lock.notifyAll();
                }
            }
        } catch (IOException e) {
            synchronized (lock) {
                gone = true;
                lock.notifyAll();
            }
        }
    }

    private void sendLoop() {
        while (true) {
            List<byte[]> batch;
            synchronized (lock) {
                while (pending.isEmpty() && !closing && !gone) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (pending.isEmpty()) {
                    return;
                }
                batch = pending;
                pending = new ArrayList<>();
                sending = true;
            }
            try {
                wire.sendAll(QueueBroker.PUT, batch, batch.size());
            } catch (IOException e) {
                synchronized (lock) {
                    gone = true;
                }
            }
            synchronized (lock) {
                sending = false;
                lock.notifyAll();
            }
        }
    }

    private void checkUsable() {
        if (closing) {
            throw new IllegalStateException("this queue handle is closed");
        }
        if (gone) {
            throw new IllegalStateException("the queue is gone: the process that made it closed it or ended");
        }
    }

    void put(byte[] item, long deadline) throws InterruptedException, TimeoutException {
        synchronized (lock) {
            checkUsable();
            if (bounded) {
                while (credits == 0) {
                    checkUsable();
                    if (!creditOutstanding) {
                        creditOutstanding = true;
                        try {
                            wire.sendInt(QueueBroker.CREDIT, CREDIT_BATCH);
                        } catch (IOException e) {
                            gone = true;
                            continue;
                        }
                    }
                    long left = QueueBroker.remaining(deadline);
                    if (left <= 0) {
                        throw new TimeoutException("the queue stayed full for the whole wait");
                    }
                    lock.wait(QueueBroker.millis(left));
                }
                credits--;
            }
            pending.add(item);
            if (pending.size() == 1) {
                lock.notifyAll();
            }
        }
    }

    byte[] take(long deadline) throws InterruptedException, TimeoutException {
        synchronized (lock) {
            while (buffer.isEmpty()) {
                checkUsable();
                if (!getOutstanding) {
                    getOutstanding = true;
                    try {
                        wire.sendInt(QueueBroker.GET, 0);
                    } catch (IOException e) {
                        gone = true;
                        continue;
                    }
                }
                long left = QueueBroker.remaining(deadline);
                if (left <= 0) {
                    try {
                        wire.sendInt(QueueBroker.CANCEL_GET, 0);
                    } catch (IOException ignored) {
                        // the queue is gone; the next call says so
                    }
                    throw new TimeoutException("no item arrived in the queue during the wait");
                }
                lock.wait(QueueBroker.millis(left));
            }
            return buffer.poll();
        }
    }

    /** Waits until every put has been written to the socket, at most {@code nanos}. */
    void flush(long nanos) {
        long deadline = System.nanoTime() + nanos;
        synchronized (lock) {
            while ((!pending.isEmpty() || sending) && !gone && System.nanoTime() < deadline) {
                try {
                    lock.wait(QueueBroker.millis(deadline - System.nanoTime()));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    void close() {
        if (!OPEN.remove(this)) {
            return;
        }
        flush(5_000_000_000L);
        List<byte[]> left;
        synchronized (lock) {
            closing = true;
            left = new ArrayList<>(buffer);
            buffer.clear();
            lock.notifyAll();
        }
        if (!left.isEmpty()) {
            try {
                wire.sendAll(QueueBroker.RETURN, left, left.size());
            } catch (IOException ignored) {
                // the queue is gone, and its items with it
            }
        }
        wire.close();
        try {
            sender.join(2000);
            receiver.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
