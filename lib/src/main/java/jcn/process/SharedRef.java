package jcn.process;

import java.io.IOException;
import java.io.Serial;
import java.io.Serializable;
import java.io.UncheckedIOException;

/**
 * Where a shared object (a queue, a lock) lives, and this JVM's way to it: the broker itself in
 * the JVM that made it, a client connection anywhere else. Only the hub's path and the
 * endpoint's id travel; each JVM attaches on first use, so a copy deserialised in a child, a
 * grandchild or a worker started later finds its way the same.
 *
 * @param <B> the broker type, kept by the JVM that made the object
 * @param <C> the client type, one per other JVM that uses it
 */
final class SharedRef<B extends Hub.Endpoint, C> implements Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    /** Makes this JVM's client from an authenticated connection to the broker. */
    interface Connector<C> {
        C connect(Wire wire) throws IOException;
    }

    /** Ends this JVM's client: called once, by {@link #close}. */
    interface Closer<C> {
        void close(C client);
    }

    private final String hub;
    private final long id;
    private final String what;

    private transient volatile B broker;
    private transient volatile C client;
    private transient volatile Hub.Registration registration;
    private transient volatile boolean closed;

    private SharedRef(Hub.Registration registration, B broker, String what) {
        this.hub = registration.socketPath();
        this.id = registration.id();
        this.what = what;
        this.registration = registration;
        this.broker = broker;
    }

    /** Registers {@code broker} with this JVM's hub; {@code what} names the object in messages ("queue"). */
    static <B extends Hub.Endpoint, C> SharedRef<B, C> register(B broker, String what) {
        return new SharedRef<>(Hub.register(broker), broker, what);
    }

    /** The endpoint's id in its hub. */
    long id() {
        return id;
    }

    /** True in the JVM that made the object. */
    boolean owner() {
        return registration != null;
    }

    boolean closed() {
        return closed;
    }

    /**
     * The broker if it lives in this JVM, else {@code null} after making sure the client exists.
     *
     * @throws IllegalStateException if this handle is closed ({@code how} says what to do instead)
     * @throws UncheckedIOException  if the JVM that made the object cannot be reached
     */
    B attach(Connector<C> connector, String how) {
        if (closed) {
            throw new IllegalStateException("this " + what + " is closed; " + how);
        }
        B b = broker;
        if (b != null || client != null) {
            return b;
        }
        synchronized (this) {
            if (broker == null && client == null) {
                @SuppressWarnings("unchecked")
                B local = (B) Hub.local(hub, id);
                if (local != null) {
                    broker = local;
                } else {
                    try {
                        client = connector.connect(Hub.connect(hub, id));
                    } catch (IOException e) {
                        throw new UncheckedIOException("cannot reach the " + what + ": the process that made it has"
                                + " closed it or ended (" + e.getMessage() + ")", e);
                    }
                }
            }
            return broker;
        }
    }

    /** This JVM's client, or {@code null} before {@link #attach} or in the owner. */
    C client() {
        return client;
    }

    /** The broker, or {@code null} in a JVM that has not attached locally. */
    B broker() {
        return broker;
    }

    /**
     * Closes this handle once: in the owner, {@code closeBroker} runs and the endpoint leaves the
     * hub; elsewhere the client is closed. Returns false if it was already closed.
     */
    boolean close(Runnable closeBroker, Closer<C> closeClient) {
        synchronized (this) {
            if (closed) {
                return false;
            }
            closed = true;
        }
        Hub.Registration r = registration;
        if (r != null) {
            closeBroker.run();
            Hub.unregister(r);
        } else {
            C c = client;
            if (c != null) {
                closeClient.close(c);
            }
        }
        return true;
    }
}
