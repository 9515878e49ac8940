package jcn.process;

import java.io.Serializable;

/**
 * A function applied to one input in another JVM: what {@link ProcessPool#map} sends to its
 * workers, the twin of the function given to Python's {@code Pool.map}.
 *
 * <p>It is {@link Serializable} for the same reason as {@link ProcessTask}: a lambda written in
 * a cell travels to the worker with its captured values.
 *
 * @param <T> the type of the input
 * @param <R> the type of the result
 */
@FunctionalInterface
public interface ProcessFunction<T, R> extends Serializable {

    /** Runs in a worker JVM on one input. */
    R apply(T input) throws Exception;
}
