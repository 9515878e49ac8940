package jcn.process;

import java.io.IOException;
import java.io.Serial;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
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
 * <p>Contract:
 * <ul>
 *   <li>At most one holder at a time across all processes; it is granted first come, first
 *       served. It can be made before or after the pools and children that use it.</li>
 *   <li>Not reentrant: a thread that holds it and asks again gets an
 *       {@link IllegalStateException} at once, where Python's {@code Lock} would block forever.</li>
 *   <li>{@link #acquire(Duration)} blocks until granted, the timeout, or an interrupt. A
 *       timed-out or interrupted acquire leaves nothing behind: if the grant crossed the
 *       withdrawal, a timed-out acquire returns holding the lock, and an interrupted one hands
 *       it straight back before it throws.</li>
 *   <li>{@link Held#close()} releases it and may be called from any thread (Python's
 *       {@code Lock.release} too); a second call does nothing.</li>
 *   <li>If a holder's process dies, its hold ends with it, so one crashed child cannot stop the
 *       others; CPython's {@code multiprocessing.Lock} stays locked in that case.</li>
 *   <li>{@link #close()} in the JVM that made it ends it for all: waiting and later acquires
 *       throw {@link IllegalStateException}. Elsewhere it lets go of this JVM's connection.</li>
 * </ul>
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

    private final SharedRef<Broker, Client> ref;
    private transient volatile Thread holder;
    private transient Semaphore local;

    /** Proof of holding the lock; closing it releases the lock. */
    public interface Held extends AutoCloseable {
        /** Releases the lock, from any thread; a second call does nothing. */
        @Override
        void close();
    }

    private ProcessLock(Broker broker) {
        this.ref = SharedRef.register(broker, "lock");
    }

    /** A new lock, free. */
    public static ProcessLock create() {
        return new ProcessLock(new Broker());
    }

    /**
     * Waits for the lock, at most {@link #DEFAULT_TIMEOUT}.
     *
     * @throws IllegalStateException if the default timeout passed, this thread already holds
     *                               the lock, or the lock is closed
     */
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
     * @throws TimeoutException       if other holders kept it all that time
     * @throws InterruptedException   if interrupted while waiting; the lock is not held then
     * @throws IllegalStateException  if this thread already holds it, or the lock is closed
     */
    public Held acquire(Duration timeout) throws InterruptedException, TimeoutException {
        Objects.requireNonNull(timeout, "timeout");
        if (holder == Thread.currentThread()) {
            throw new IllegalStateException("this thread already holds the lock; ProcessLock is not reentrant");
        }
        long deadline = Time.deadline(timeout);
        Broker b = ref.attach(Client::new, "make a new one with ProcessLock.create()");
        // Threads of this JVM queue here first, so the broker sees one request per JVM at a time.
        Semaphore threads = threads();
        if (!threads.tryAcquire(Time.remaining(deadline), TimeUnit.NANOSECONDS)) {
            throw new TimeoutException("another thread of this process held the lock for the whole wait");
        }
        long request;
        try {
            request = b != null ? b.acquireLocal(deadline) : ref.client().acquire(deadline);
        } catch (InterruptedException | TimeoutException | RuntimeException e) {
            threads.release();
            throw e;
        }
        holder = Thread.currentThread();
        return new Held() {
            private final AtomicBoolean released = new AtomicBoolean();

            @Override
            public void close() {
                if (!released.compareAndSet(false, true)) {
                    return;
                }
                holder = null;
                try {
                    Broker b = ref.broker();
                    if (b != null) {
                        b.releaseLocal();
                    } else if (ref.client() != null) {
                        ref.client().release(request);
                    }
                } finally {
                    threads.release();
                }
            }
        };
    }

    private synchronized Semaphore threads() {
        if (local == null) {
            local = new Semaphore(1, true);
        }
        return local;
    }

    /** In the JVM that made it: ends the lock for every process. Elsewhere: lets go of the connection. */
    @Override
    public void close() {
        ref.close(() -> ref.broker().close(), c -> c.wire.close());
    }

    @Override
    public String toString() {
        return "ProcessLock[" + (ref.closed() ? "closed" : holder != null ? "held by " + holder.getName() : "open") + "]";
    }

    /** The lock's state, kept by the JVM that made it. No socket is written with its lock held. */
    static final class Broker implements Hub.Endpoint {
        private static final Object LOCAL = new Object();
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition changed = lock.newCondition();
        private final ArrayDeque<Object> waiters = new ArrayDeque<>();
        private final Set<Wire> wires = ConcurrentHashMap.newKeySet();
        private Object owner;
        private boolean closed;

        /** A request from another JVM: its connection and id. */
        private record Remote(Wire wire, long request) {
        }

        @Override
        public void connected(Wire wire) {
            wires.add(wire);
            try {
                while (true) {
                    Wire.Frame frame = wire.receive();
                    long request = frame.data().readLong();
                    Remote grant = null;
                    boolean cancelled = false;
                    Remote me = new Remote(wire, request);
                    lock.lock();
                    try {
                        switch (frame.type()) {
                            case ACQUIRE -> {
                                waiters.add(me);
                                grant = next();
                            }
                            case RELEASE -> {
                                if (me.equals(owner)) {
                                    owner = null;
                                    grant = next();
                                }
                            }
                            case CANCEL -> cancelled = waiters.remove(me);
                            default -> throw new IOException("unknown lock frame type " + frame.type());
                        }
                    } finally {
                        lock.unlock();
                    }
                    if (cancelled) {
                        wire.sendLong(CANCELLED, request);
                    }
                    tell(grant);
                }
            } catch (IOException e) {
                // the holder's process let go, died, or sent something this lock cannot read
            } finally {
                wires.remove(wire);
                Remote grant = null;
                lock.lock();
                try {
                    waiters.removeIf(w -> w instanceof Remote r && r.wire() == wire);
                    if (owner instanceof Remote r && r.wire() == wire) {
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
        private Remote next() {
            if (owner != null || waiters.isEmpty()) {
                return null;
            }
            owner = waiters.poll();
            changed.signalAll();
            return owner instanceof Remote r ? r : null;
        }

        private void tell(Remote grant) {
            while (grant != null) {
                try {
                    grant.wire().sendLong(GRANTED, grant.request());
                    return;
                } catch (IOException e) {
                    // The waiter's process is gone: the lock goes to the next one.
                    grant.wire().close();
                    lock.lock();
                    try {
                        if (owner == grant) {
                            owner = null;
                        }
                        grant = next();
                    } finally {
                        lock.unlock();
                    }
                }
            }
        }

        long acquireLocal(long deadline) throws InterruptedException, TimeoutException {
            Object ticket = new Object();
            Remote grant = null;
            lock.lock();
            try {
                if (closed) {
                    throw new IllegalStateException("this lock is closed; make a new one with ProcessLock.create()");
                }
                waiters.add(ticket);
                next();
                while (owner != ticket) {
                    long left = Time.remaining(deadline);
                    if (left <= 0 || closed) {
                        waiters.remove(ticket);
                        if (closed) {
                            throw new IllegalStateException("this lock was closed while waiting for it");
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
                        }
                        throw e;
                    }
                }
                owner = LOCAL;
            } finally {
                lock.unlock();
                tell(grant);
            }
            return 0;
        }

        void releaseLocal() {
            Remote grant;
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

    /** The lock as seen from another JVM: one connection; replies matched to requests by id. */
    private static final class Client {
        final Wire wire;
        private final Requests requests = new Requests();

        Client(Wire wire) {
            this.wire = wire;
            Thread receiver = new Thread(this::receive, "jcn-lock-receive");
            receiver.setDaemon(true);
            receiver.start();
        }

        private void receive() {
            try {
                while (true) {
                    Wire.Frame frame = wire.receive();
                    long request = frame.data().readLong();
                    Reply reply = requests.waitingFor(request);
                    if (reply != null) {
                        reply.complete(frame.type(), null);
                    } else if (frame.type() == GRANTED) {
                        // A grant for a request that gave up long ago: hand the lock straight back.
                        wire.sendLong(RELEASE, request);
                    }
                }
            } catch (IOException e) {
                requests.gone();
            }
        }

        long acquire(long deadline) throws InterruptedException, TimeoutException {
            Reply reply = new Reply();
            long request = requests.open(reply);
            try {
                send(ACQUIRE, request);
                boolean answered;
                try {
                    answered = reply.await(deadline);
                } catch (InterruptedException e) {
                    if (Requests.withdraw(r -> wire.sendLong(CANCEL, r), request, reply) == GRANTED) {
                        send(RELEASE, request);
                    }
                    throw e;
                }
                int type = answered ? reply.type() : Requests.withdraw(r -> wire.sendLong(CANCEL, r), request, reply);
                if (type == GRANTED) {
                    return request;
                }
                if (type == Requests.GONE) {
                    throw goneError();
                }
                throw new TimeoutException("another process held the lock for the whole wait");
            } finally {
                requests.close(request);
            }
        }

        void release(long request) {
            send(RELEASE, request);
        }

        private void send(int type, long request) {
            try {
                wire.sendLong(type, request);
            } catch (IOException e) {
                throw goneError();
            }
        }

        private static IllegalStateException goneError() {
            return new IllegalStateException("the lock is gone: the process that made it closed it or ended");
        }
    }
}
