package jcn.process;

import java.io.IOException;
import java.io.Serial;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.TimeoutException;

/**
 * A queue shared by a JVM and its child processes, and between siblings: the twin of Python's
 * {@code multiprocessing.Queue}. Made with {@link #create()} or {@link #create(int)}, it
 * travels to a child by being captured in the child's task (or as a notebook variable); every
 * process then puts and gets through its own copy of the handle. It may be made before or after
 * the pools and children that use it, in any cell.
 *
 * <p>Contract, the same as {@code multiprocessing.Queue}'s unless said otherwise:
 * <ul>
 *   <li>Items are copied between processes (small numbers, strings and byte arrays in a compact
 *       form, other {@link Serializable} values by serialisation) and arrive in the order each
 *       writer put them.</li>
 *   <li>Each item goes to exactly one reader: whichever reader is waiting, first come, first
 *       served, in whatever process. A reader in another JVM asks for one item at a time and
 *       holds none in advance, so several readers share the work as it comes.</li>
 *   <li>A reader that is killed loses at most the one item that was on its way to it; every
 *       other item stays for the other readers. (CPython's reader can also leave the queue's
 *       read lock held.) A writer that is killed loses the puts its sending thread had not yet
 *       written, as CPython's feeder thread does; a task that returns has sent all its puts.</li>
 *   <li>On an unbounded queue {@code put} never waits. On a bounded one it waits only while the
 *       queue holds {@code capacity} items, however many processes write; a put from another
 *       JVM returns once its item is stored.</li>
 *   <li>A timed-out or interrupted {@code put} or {@code get} leaves nothing behind: the item
 *       is either in the queue or not, taken by this call or not. An answer that crosses the
 *       timeout counts: the call succeeds. One that crosses an interrupt: a put whose item was
 *       stored returns with the thread's interrupt status set; a get puts the item it was
 *       handed back at the front of the queue and throws {@link InterruptedException}.</li>
 *   <li>A writer ends the stream with {@link #putEnd()}: the reader that takes that mark gets
 *       {@code null}, and iteration stops there, the twin of the {@code None} sentinel the
 *       Python notes put. Each {@link #iterator()} reads on from where the queue is.</li>
 * </ul>
 *
 * <p>{@link #close()} in the JVM that made the queue ends it for all: items left are dropped,
 * and waiting calls in every process throw {@link IllegalStateException}. In any other JVM it
 * sends what is still buffered and lets go of the connection. Using a closed queue throws
 * {@link IllegalStateException}. Waits without a timeout are bounded by {@link #DEFAULT_TIMEOUT}
 * and then throw {@link IllegalStateException}.
 *
 * @param <T> the type of the items
 */
public final class ProcessQueue<T> implements AutoCloseable, Iterable<T>, Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    /** How long {@link #put(Object)} and {@link #get()} wait before they give up. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);

    private final SharedRef<QueueBroker, QueueClient> ref;
    private final int capacity;
    private transient volatile ClassLoader loader;

    private ProcessQueue(QueueBroker broker, int capacity) {
        this.ref = SharedRef.register(broker, "queue");
        this.capacity = capacity;
        this.loader = Thread.currentThread().getContextClassLoader();
    }

    /** An unbounded queue: {@code put} never waits. */
    public static <T> ProcessQueue<T> create() {
        return make(Integer.MAX_VALUE);
    }

    /**
     * A queue of at most {@code capacity} items: writers wait while it is full.
     *
     * @throws IllegalArgumentException if {@code capacity} is less than 1
     */
    public static <T> ProcessQueue<T> create(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("a queue's capacity must be at least 1, not " + capacity
                    + "; use create() for an unbounded queue");
        }
        return make(capacity);
    }

    private static <T> ProcessQueue<T> make(int capacity) {
        return new ProcessQueue<>(new QueueBroker(capacity), capacity);
    }

    /** The bound given to {@link #create(int)}, or {@link Integer#MAX_VALUE}. */
    public int capacity() {
        return capacity;
    }

    /** Adds {@code item}, waiting at most {@link #DEFAULT_TIMEOUT} for room. */
    public void put(T item) throws InterruptedException {
        try {
            put(item, DEFAULT_TIMEOUT);
        } catch (TimeoutException e) {
            throw new IllegalStateException("waited " + DEFAULT_TIMEOUT + " for room in a full queue of " + capacity
                    + "; is anything still reading it?", e);
        }
    }

    /**
     * Adds {@code item}, waiting at most {@code timeout} for room.
     *
     * @throws NullPointerException     for a {@code null} item (use {@link #putEnd()} to mark the end)
     * @throws IllegalArgumentException if the item cannot be serialised
     * @throws TimeoutException         if the queue stayed full
     */
    public void put(T item, Duration timeout) throws InterruptedException, TimeoutException {
        Objects.requireNonNull(item, "a queue item must not be null; call putEnd() to mark the end of the stream");
        Objects.requireNonNull(timeout, "timeout");
        send(Codec.encodeItem(item), timeout);
    }

    /** Puts the end mark: one reader's {@link #get()} returns {@code null} for it. Put one per reader. */
    public void putEnd() throws InterruptedException {
        try {
            send(Codec.END_ITEM, DEFAULT_TIMEOUT);
        } catch (TimeoutException e) {
            throw new IllegalStateException("waited " + DEFAULT_TIMEOUT + " for room for the end mark", e);
        }
    }

    private void send(byte[] item, Duration timeout) throws InterruptedException, TimeoutException {
        long deadline = Time.deadline(timeout);
        QueueBroker b = broker();
        if (b != null) {
            b.put(item, deadline);
        } else {
            ref.client().put(item, deadline);
        }
    }

    /** Takes the next item, waiting at most {@link #DEFAULT_TIMEOUT}; {@code null} means the end mark. */
    public T get() throws InterruptedException {
        try {
            return get(DEFAULT_TIMEOUT);
        } catch (TimeoutException e) {
            throw new IllegalStateException("waited " + DEFAULT_TIMEOUT + " for an item; is anything still writing?", e);
        }
    }

    /**
     * Takes the next item, waiting at most {@code timeout}; {@code null} means a writer's end
     * mark. The twin of {@code get(timeout=...)}, with {@link TimeoutException} for Python's
     * {@code queue.Empty}.
     */
    @SuppressWarnings("unchecked")
    public T get(Duration timeout) throws InterruptedException, TimeoutException {
        Objects.requireNonNull(timeout, "timeout");
        long deadline = Time.deadline(timeout);
        QueueBroker b = broker();
        byte[] item = b != null ? b.take(deadline) : ref.client().take(deadline);
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        return (T) Codec.decodeItem(item, loader != null ? loader : context);
    }

    /**
     * Items up to the first end mark; each step waits like {@link #get()}. Interrupting the
     * reading thread ends the iteration with an {@link IllegalStateException}.
     */
    @Override
    public Iterator<T> iterator() {
        return new Iterator<>() {
            private T next;
            private boolean ended;

            @Override
            public boolean hasNext() {
                if (next == null && !ended) {
                    try {
                        next = get();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted while waiting for the next item", e);
                    }
                    ended = next == null;
                }
                return next != null;
            }

            @Override
            public T next() {
                if (!hasNext()) {
                    throw new NoSuchElementException("the queue's end mark was reached");
                }
                T item = next;
                next = null;
                return item;
            }
        };
    }

    /** How many items wait in the queue; known only in the JVM that made it, -1 elsewhere. */
    public int size() {
        QueueBroker b = broker();
        return b != null ? b.size() : -1;
    }

    private QueueBroker broker() {
        return ref.attach(wire -> new QueueClient(wire, capacity), "make a new one with ProcessQueue.create()");
    }

    /**
     * In the JVM that made the queue: ends it for every process, dropping items still in it.
     * Elsewhere: sends buffered puts, returns unread items and lets go of the connection.
     */
    @Override
    public void close() {
        ref.close(() -> ref.broker().close(), QueueClient::close);
    }

    @Override
    public String toString() {
        return "ProcessQueue[" + (capacity == Integer.MAX_VALUE ? "unbounded" : "capacity " + capacity)
                + (ref.closed() ? ", closed" : "") + "]";
    }
}
