package jcn.process;

import java.io.Serializable;

/**
 * A piece of work that runs in another JVM and returns a value: the twin of the
 * {@code target} given to Python's {@code multiprocessing.Process} or {@code Pool.apply}.
 *
 * <p>It is {@link Serializable} so that a lambda written in a notebook cell can travel to the
 * child together with what it captures. Everything it captures must be serializable too; the
 * value it returns must be serializable, or {@code null}.
 *
 * @param <T> the type of the result
 */
@FunctionalInterface
public interface ProcessTask<T> extends Serializable {

    /** Runs in the child JVM; what it throws reaches the parent as a {@link ChildFailedException}. */
    T call() throws Exception;
}
