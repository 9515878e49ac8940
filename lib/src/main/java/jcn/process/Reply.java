package jcn.process;

import java.util.concurrent.TimeUnit;

/**
 * The answer to one request sent to a broker in another JVM, filled in by the thread that
 * reads the connection and waited for by the caller. Requests carry ids, so a reply is only
 * ever read by the request it answers.
 */
final class Reply {
    private int type;
    private byte[] item;
    private boolean done;

    synchronized void complete(int type, byte[] item) {
        if (!done) {
            this.type = type;
            this.item = item;
            done = true;
            notifyAll();
        }
    }

    /** Waits until answered or the deadline; true if answered. */
    synchronized boolean await(long deadline) throws InterruptedException {
        while (!done) {
            long left = Time.remaining(deadline);
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }

    /** The same, not interruptible: a withdrawal must hear its answer. */
    boolean awaitUninterruptibly(long deadline) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return await(deadline);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    synchronized int type() {
        return type;
    }

    synchronized byte[] item() {
        return item;
    }
}
