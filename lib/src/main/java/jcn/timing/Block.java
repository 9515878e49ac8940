package jcn.timing;

/**
 * A block of code to time that returns nothing and may throw, so a cell can time
 * {@code Thread.sleep} or I/O without wrapping checked exceptions.
 */
@FunctionalInterface
public interface Block {

    /** Runs the block. */
    void run() throws Exception;
}
