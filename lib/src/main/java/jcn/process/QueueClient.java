package jcn.process;

import java.io.DataInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A queue reached from another JVM than the one that made it.
 *
 * <p>Puts on an unbounded queue never wait: they are handed to a sending thread that writes
 * whatever has piled up in one frame, like the feeder thread of Python's
 * {@code multiprocessing.Queue}; a child sends them all before its task's answer. Puts on a
 * bounded queue are one request each, answered when the item is stored, so the bound counts
 * items and nothing else. A get is one request for one item: no reader holds items another
 * could have had. Every request carries an id, and a request given up (timeout, interrupt)
 * is withdrawn by that id: a reply that crossed the withdrawal is honoured (the item is
 * returned to the caller, or given back to the queue), never read by a later request.
 *
 * <p>The receiving thread only hands replies to the requests waiting for them; sockets are
 * written outside every monitor a reply needs, so a full socket cannot stall the replies.
 */
final class QueueClient {

    private static final Set<QueueClient> OPEN = ConcurrentHashMap.newKeySet();
    private static final int GONE = Requests.GONE;

    private final Wire wire;
    private final boolean bounded;
    private final Requests requests = new Requests();
    private final Object feed = new Object();
    private List<byte[]> pending = new ArrayList<>();
    private boolean sending;
    private Thread sender;
    private volatile boolean closing;
    private final Thread receiver;

    QueueClient(Wire wire, int capacity) {
        this.wire = wire;
        this.bounded = capacity != Integer.MAX_VALUE;
        receiver = new Thread(this::receive, "jcn-queue-receive");
        receiver.setDaemon(true);
        receiver.start();
        OPEN.add(this);
    }

    /** Sends what every queue handle of this JVM still holds: a child does this before it answers. */
    static void flushAll() {
        for (QueueClient c : OPEN) {
            c.flush(TimeUnit.SECONDS.toNanos(5));
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
                long request = in.readLong();
                Reply reply = requests.waitingFor(request);
                byte[] item = frame.type() == QueueBroker.ITEM ? Wire.rest(frame, 8) : null;
                if (reply != null) {
                    reply.complete(frame.type(), item);
                } else if (item != null) {
                    // Its reader gave up long ago: back to the queue, so the item is not lost.
                    wire.send(QueueBroker.RETURN, item);
                }
            }
        } catch (IOException e) {
            requests.gone();
            synchronized (feed) {
                feed.notifyAll();
            }
        }
    }

    private void checkUsable() {
        if (closing) {
            throw new IllegalStateException("this queue handle is closed");
        }
        if (requests.isGone()) {
            throw goneError();
        }
    }

    private static IllegalStateException goneError() {
        return new IllegalStateException("the queue is gone: the process that made it closed it or ended");
    }

    void put(byte[] item, long deadline) throws InterruptedException, TimeoutException {
        checkUsable();
        if (!bounded) {
            feed(item);
            return;
        }
        Reply reply = new Reply();
        long request = requests.open(reply);
        try {
            try {
                wire.sendRequestItem(QueueBroker.PUT_WAIT, request, item);
            } catch (IOException e) {
                throw goneError();
            }
            boolean answered;
            try {
                answered = reply.await(deadline);
            } catch (InterruptedException e) {
                if (Requests.withdraw(r -> wire.sendLong(QueueBroker.CANCEL_PUT, r), request, reply) == QueueBroker.PUT_DONE) {
                    // The item is in the queue: the put happened, so say so and keep the interrupt.
                    Thread.currentThread().interrupt();
                    return;
                }
                throw e;
            }
            int type = answered ? reply.type() : Requests.withdraw(r -> wire.sendLong(QueueBroker.CANCEL_PUT, r), request, reply);
            if (type == QueueBroker.PUT_DONE) {
                return;
            }
            if (type == GONE) {
                throw goneError();
            }
            throw new TimeoutException("the queue stayed full for the whole wait");
        } finally {
            requests.close(request);
        }
    }

    private void feed(byte[] item) {
        synchronized (feed) {
            pending.add(item);
            if (sender == null) {
                sender = new Thread(this::sendLoop, "jcn-queue-send");
                sender.setDaemon(true);
                sender.start();
            } else if (pending.size() == 1) {
                feed.notifyAll();
            }
        }
    }

    private void sendLoop() {
        while (true) {
            List<byte[]> batch;
            synchronized (feed) {
                while (pending.isEmpty() && !closing && !requests.isGone()) {
                    try {
                        feed.wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (pending.isEmpty() || requests.isGone()) {
                    sending = false;
                    feed.notifyAll();
                    return;
                }
                batch = pending;
                pending = new ArrayList<>();
                sending = true;
            }
            try {
                for (int from = 0; from < batch.size(); from += QueueBroker.MAX_BATCH) {
                    List<byte[]> part = batch.subList(from, Math.min(batch.size(), from + QueueBroker.MAX_BATCH));
                    wire.sendAll(QueueBroker.PUT, part, part.size());
                }
            } catch (IOException e) {
                requests.gone();
            }
            synchronized (feed) {
                sending = false;
                feed.notifyAll();
            }
        }
    }

    byte[] take(long deadline) throws InterruptedException, TimeoutException {
        checkUsable();
        Reply reply = new Reply();
        long request = requests.open(reply);
        try {
            try {
                wire.sendLong(QueueBroker.GET, request);
            } catch (IOException e) {
                throw goneError();
            }
            boolean answered;
            try {
                answered = reply.await(deadline);
            } catch (InterruptedException e) {
                if (Requests.withdraw(r -> wire.sendLong(QueueBroker.CANCEL_GET, r), request, reply) == QueueBroker.ITEM) {
                    giveBack(reply.item());
                }
                throw e;
            }
            int type = answered ? reply.type() : Requests.withdraw(r -> wire.sendLong(QueueBroker.CANCEL_GET, r), request, reply);
            if (type == QueueBroker.ITEM) {
                // Answered, or handed over just as the wait ran out: the item is this reader's.
                return reply.item();
            }
            if (type == GONE) {
                throw goneError();
            }
            throw new TimeoutException("no item arrived in the queue during the wait");
        } finally {
            requests.close(request);
        }
    }

    private void giveBack(byte[] item) {
        try {
            wire.send(QueueBroker.RETURN, item);
        } catch (IOException ignored) {
            // the queue is gone, and its items with it
        }
    }

    /** Waits until every put has been written to the socket, at most {@code nanos}. */
    void flush(long nanos) {
        long deadline = System.nanoTime() + nanos;
        synchronized (feed) {
            while ((!pending.isEmpty() || sending) && !requests.isGone() && System.nanoTime() < deadline) {
                try {
                    feed.wait(Time.millis(deadline - System.nanoTime()));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Sends what is buffered, then lets go of the connection; waiting calls in this JVM fail. */
    void close() {
        if (!OPEN.remove(this)) {
            return;
        }
        flush(TimeUnit.SECONDS.toNanos(5));
        Thread s;
        synchronized (feed) {
            closing = true;
            s = sender;
            feed.notifyAll();
        }
        wire.close();
        try {
            if (s != null) {
                s.join(2000);
            }
            receiver.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
