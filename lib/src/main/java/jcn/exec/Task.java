package jcn.exec;

/**
 * A function of one input that may throw, the unit of work {@link ThreadPool#map} applies.
 *
 * <p>Unlike {@link java.util.function.Function} it may throw checked exceptions, so a task can
 * sleep or do I/O without wrapping.
 *
 * @param <T> the input type
 * @param <R> the result type
 */
@FunctionalInterface
public interface Task<T, R> {

    /** Computes the result for {@code input}. */
    R apply(T input) throws Exception;
}
