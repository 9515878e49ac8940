package jcn.exec;

/**
 * A task run by a pool ({@link ThreadPool} or {@code jcn.process.ProcessPool}) threw; the
 * message names the task by its position and input, and the task's own exception is the cause.
 *
 * <p>Unchecked, so a notebook cell can call {@code map} without a try block and still see
 * which input failed.
 */
public final class TaskFailedException extends RuntimeException {

    private final int index;
    private final transient Object input;

    /** Reports that the task at {@code index}, given {@code input}, failed with {@code cause}. */
    public TaskFailedException(int index, Object input, Throwable cause) {
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
