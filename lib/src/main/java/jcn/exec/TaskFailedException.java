package jcn.exec;

/**
 * A task run by a {@link ThreadPool} threw; the message names the task by its position and
 * input, and the task's own exception is the cause.
 *
 * <p>Unchecked, so a notebook cell can call {@code map} without a try block and still see
 * which input failed.
 */
public final class TaskFailedException extends RuntimeException {

    private final int index;
    private final transient Object input;

    TaskFailedException(int index, Object input, Throwable cause) {
        super("task " + index + " (input " + describe(input) + ") failed: " + cause, cause);
        this.index = index;
        this.input = input;
    }

    /** The failed task's position in the submitted inputs, from 0. */
    public int index() {
        return index;
    }

    /** The input the failed task was given. */
    public Object input() {
        return input;
    }

    private static String describe(Object input) {
        String s = String.valueOf(input);
        return s.length() > 80 ? s.substring(0, 77) + "..." : s;
    }
}
