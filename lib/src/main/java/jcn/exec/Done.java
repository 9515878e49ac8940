package jcn.exec;

/**
 * A finished task as {@link ThreadPool#asCompleted} hands it out: which input it had, where that
 * input stood, and what it returned.
 *
 * @param index  the input's position, from 0
 * @param input  the input
 * @param result the task's result
 * @param <T>    the input type
 * @param <R>    the result type
 */
public record Done<T, R>(int index, T input, R result) {
}
