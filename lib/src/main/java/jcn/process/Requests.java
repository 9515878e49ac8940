package jcn.process;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The requests a client in another JVM has sent to a broker and not yet heard back on, by id:
 * the part queue and lock clients share. The thread that reads the connection hands each reply
 * to the request it names, so a reply that arrives late is never read by a later request.
 */
final class Requests {

    /** The reply type of a request whose connection is gone. */
    static final int GONE = -1;
    /** How long a withdrawn request waits for the broker's word on it. */
    private static final long WITHDRAW_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, Reply> waiting = new ConcurrentHashMap<>();
    private volatile boolean gone;

    /** Sends a frame naming a request. */
    interface Send {
        void send(long request) throws IOException;
    }

    /** Lists {@code reply} under a new id and returns the id; the reply fails at once if the connection is gone. */
    long open(Reply reply) {
        long id = ids.incrementAndGet();
        waiting.put(id, reply);
        if (gone) {
            reply.complete(GONE, null); // the reader may have failed the others before this one was listed
        }
        return id;
    }

    /** Forgets a request that has its answer or was given up. */
    void close(long id) {
        waiting.remove(id);
    }

    /** The reply waiting for request {@code id}, or {@code null} if nobody waits for it any more. */
    Reply waitingFor(long id) {
        return waiting.get(id);
    }

    /** The connection ended: every request waiting, and every later one, gets {@link #GONE}. */
    void gone() {
        gone = true;
        waiting.values().forEach(r -> r.complete(GONE, null));
    }

    boolean isGone() {
        return gone;
    }

    /**
     * Withdraws request {@code id} with {@code cancel} and waits, not interruptibly and at most
     * five seconds, for the broker's word: the type of what it answered (the withdrawal's
     * acknowledgement, or a reply that crossed it), or {@link #GONE}.
     */
    static int withdraw(Send cancel, long id, Reply reply) {
        try {
            cancel.send(id);
        } catch (IOException e) {
            return GONE;
        }
        return reply.awaitUninterruptibly(System.nanoTime() + WITHDRAW_NANOS) ? reply.type() : GONE;
    }
}
