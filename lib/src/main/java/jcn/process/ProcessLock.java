package jcn.process;

import java.io.IOException;
import java.io.Serial;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A lock shared by a JVM and its child processes: the twin of Python's
 * {@code multiprocessing.Lock} or {@code Manager().Lock()}. It travels to a child by being
 * captured in the child's task, and is used with try-with-resources:
 *
 * <pre>{@code
 * try (var held = lock.acquire()) {
 *     // one process at a time, across every JVM that holds this lock
 * }
 * }</pre>
 *
 * <p>It is kept by the JVM that made it and granted first come, first served. It is not
 * reentrant: a thread that holds it and asks again gets an {@link IllegalStateException}
 * rather than a deadlock. If a holder's process dies, its hold ends with it, so one crashed
 * child cannot stop the others. {@link #close()} in the JVM that made it ends it for all.
 */
public final class ProcessLock implements AutoCloseable, Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    /** How long {@link #acquire()} waits before it gives up. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);

    static final int ACQUIRE = 30;
    static final int GRANTED = 31;
    static final int RELEASE = 32;
    static final int CANCEL = 33;
    static final int CANCELLED = 34;

    private final String hub;
    private final long id;

    private transient volatile Broker broker;
    private transient volatile Client client;
    private transient volatile Hub.Registration registration;
    private transient volatile boolean closed;
    private transient volatile Thread holder;
    private transient ReentrantLock local;

    /** Proof of holding the lock; closing it releases the lock. */
    public interface Held extends AutoCloseable {
        /** Releases the lock; a second call does nothing. */
        @Override
        void close();
    }

    private ProcessLock(Hub.Registration registration, Broker broker) {
        this.hub = registration.socketPath();
        this.id = registration.id();
        this.registration = registration;
        this.broker = broker;
    }

    /** A new lock, free. */
    public static ProcessLock create() {
        Broker broker = new Broker();
        return new ProcessLock(Hub.register(broker), broker);
    }

    /** Waits for the lock, at most {@link #DEFAULT_TIMEOUT}. */
    public Held acquire() throws InterruptedException {
        try {
            return acquire(DEFAULT_TIMEOUT);
        } catch (TimeoutException e) {
            throw new IllegalStateException("waited " + DEFAULT_TIMEOUT + " for the lock; does a process hold it forever?", e);
        }
    }

    /**
     * Waits at most {@code timeout} for the lock.
     *
     * @throws TimeoutException       if another holder kept it all that time
     * @throws IllegalStateException  if this thread already holds it, or the lock is closed
     */
    public Held acquire(Duration timeout) throws InterruptedException, TimeoutException {
        Objects.requireNonNull(timeout, "timeout");
        if (closed) {
            throw new IllegalStateException("this lock is closed");
        }
        if (holder == Thread.currentThread()) {
            throw new IllegalStateException("this thread already holds the lock; ProcessLock is not reentrant");
        }
        long deadline = QueueBroker.deadline(timeout);
        ReentrantLock threads = threads();
        if (!threads.tryLock(QueueBroker.remaining(deadline), TimeUnit.NANOSECONDS)) {
            throw new TimeoutException("another thread of this process held the lock for the whole wait");
        }
        try {
            Broker b = attach();
            if (b != null) {
                b.acquireLocal(deadline);
            } else {
                client.acquire(deadline);
            }
        } catch (InterruptedException | TimeoutException | RuntimeException e) {
            threads.unlock();
            throw e;
        }
        holder = Thread.currentThread();
        return new Held() {
            private boolean released;

            @Override
            public void close() {
                if (released) {
                    return;
                }
                released = true;
                holder = null;
                try {
                    Broker b = broker;
                    if (b != null) {
                        b.releaseLocal();
                    } else if (client != null) {
                        client.release();
                    }
                } finally {
                    threads.unlock();
                }
            }
        };
    }

    private synchronized ReentrantLock threads() {
        if (local == null) {
            local = new ReentrantLock(true);
        }
        return local;
    }

    private Broker attach() {
        if (broker != null || client != null) {
            return broker;
        }
        synchronized (this) {
            if (broker == null && client == null) {
                if (Hub.local(hub, id) instanceof Broker b) {
                    broker = b;
                } else {
                    try {
                        client = new Client(Hub.connect(hub, id));
                    } catch (IOException e) {
                        throw new UncheckedIOException("cannot reach the lock: the process that made it has closed it or"
                                + " ended (" + e.getMessage() + ")", e);
                    }
                }
            }
            return broker;
        }
    }

    /** In the JVM that made it: ends the lock for every process. Elsewhere: lets go of the connection. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (registration != null) {
            broker.close();
            Hub.unregister(registration);
        } else if (client != null) {
            client.wire.close();
        }
    }

    /** The lock's state, kept by the JVM that made it. */
    static final class Broker implements Hub.Endpoint {
        private static final Object LOCAL = new Object();
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition changed = lock.newCondition();
        private final ArrayDeque<Object> waiters = new ArrayDeque<>();
        private final java.util.Set<Wire> wires = java.util.concurrent.ConcurrentHashMap.newKeySet();
        private Object owner;
        private boolean closed;

        @Override
        public void connected(Wire wire) {
            wires.add(wire);
            try {
                while (true) {
                    Wire.Frame frame = wire.receive();
                    Wire grant = null;
                    boolean cancelled = false;
                    lock.lock();
                    try {
                        switch (frame.type()) {
                            case ACQUIRE -> {
                                waiters.add(wire);
                                grant = next();
                            }
                            case RELEASE -> {
                                if (owner == wire) {
                                    owner = null;
                                    grant = next();
                                }
                            }
                            case CANCEL -> cancelled = waiters.remove(wire);
                            default -> throw new IOException("unknown lock frame " + frame.type());
                        }
                    } finally {
                        lock.unlock();
                    }
                    if (cancelled) {
                        wire.sendInt(CANCELLED, 0);
                    }
                    tell(grant);
                }
            } catch (IOException e) {
                // the holder's process let go or died: whatever it held is free again
            } finally {
                wires.remove(wire);
                Wire grant = null;
                lock.lock();
                try {
                    waiters.remove(wire);
                    if (owner == wire) {
                        owner = null;
                        grant = next();
                    }
                } finally {
                    lock.unlock();
                }
                tell(grant);
                wire.close();
            }
        }

        // With the lock held: hands the lock to the next waiter; returns a remote one to tell.
        private Wire next() {
            if (owner != null || waiters.isEmpty()) {
                return null;
            }
            owner = waiters.poll();
            changed.signalAll();
            return owner instanceof Wire w ? w : null;
        }

        private static void tell(Wire grant) {
            if (grant != null) {
                try {
                    grant.sendInt(GRANTED, 0);
                } catch (IOException e) {
                    grant.close();
                }
            }
        }

        void acquireLocal(long deadline) throws InterruptedException, TimeoutException {
            Object ticket = new Object();
            Wire grant;
            lock.lock();
            try {
                if (closed) {
                    throw new IllegalStateException("this lock is closed");
                }
                waiters.add(ticket);
                next();
                while (owner != ticket) {
                    long left = QueueBroker.remaining(deadline);
                    if (left <= 0 || closed) {
                        waiters.remove(ticket);
                        if (closed) {
                            throw new IllegalStateException("this lock is closed");
                        }
                        throw new TimeoutException("another process held the lock for the whole wait");
                    }
                    try {
                        changed.awaitNanos(left);
                    } catch (InterruptedException e) {
                        if (owner == ticket) {
                            owner = null;
                            grant = next();
                        } else {
                            waiters.remove(ticket);
                            grant = null;
                        }
                        lock.unlock();
                        tell(grant);
                        lock.lock();
                        throw e;
                    }
                }
                owner = LOCAL;
            } finally {
                lock.unlock();
            }
        }

        void releaseLocal() {
            Wire grant;
            lock.lock();
            try {
                if (owner != LOCAL) {
                    return;
                }
                owner = null;
                grant = next();
            } finally {
                lock.unlock();
            }
            tell(grant);
        }

        void close() {
            lock.lock();
            try {
                closed = true;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
            wires.forEach(Wire::close);
        }
    }

    /** The lock as seen from another JVM: one connection, one request at a time. */
    private static final class Client {
        final Wire wire;
        private final BlockingQueue<Integer> replies = new LinkedBlockingQueue<>();

        Client(Wire wire) {
            this.wire = wire;
            Thread receiver = new Thread(() -> {
                try {
                    while (true) {
                        replies.add(wire.receive().type());
                    }
                } catch (IOException e) {
                    replies.add(-1);
                }
            }, "jcn-lock-receive");
            receiver.setDaemon(true);
            receiver.start();
        }

        void acquire(long deadline) throws InterruptedException, TimeoutException {
            send(ACQUIRE);
            Integer reply;
            try {
                reply = replies.poll(QueueBroker.remaining(deadline), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                giveUp();
                throw e;
            }
            if (reply == null) {
                giveUp();
                throw new TimeoutException("another process held the lock for the whole wait");
            }
            if (reply != GRANTED) {
                throw new IllegalStateException("the lock is gone: the process that made it closed it or ended");
            }
        }

        // Withdraws a request; if the grant crossed the withdrawal, hands the lock straight back.
        private void giveUp() {
            send(CANCEL);
            try {
                Integer after = replies.poll(5, TimeUnit.SECONDS);
                if (after != null && after == GRANTED) {
                    send(RELEASE);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        void release() {
            send(RELEASE);
        }

        private void send(int type) {
            try {
                wire.sendInt(type, 0);
            } catch (IOException e) {
                throw new UncheckedIOException("the lock is gone: the process that made it closed it or ended", e);
            }
        }
    }
}
