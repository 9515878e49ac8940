package jcn.process;

/**
 * A child JVM ended before it returned a result: killed, {@code System.exit} from the task,
 * out of memory, or its parent gave up on it. The message says which child, which task and how
 * it ended.
 */
public final class ChildDiedException extends RuntimeException {

    private final int exitCode;

    ChildDiedException(String message, int exitCode) {
        super(message);
        this.exitCode = exitCode;
    }

    /**
     * The child's exit code as the JDK reports it: 128 + N when signal N killed it (137 for
     * {@code kill -9}); {@code -1} if it was not known.
     */
    public int exitCode() {
        return exitCode;
    }
}
