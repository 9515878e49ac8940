package jcn.process;

/**
 * A program that does nothing and exits 0.
 *
 * <p>Starting a child JVM on it measures the bare cost of a new process with a JVM in it,
 * the figure a notebook sets beside the cost of a new thread.
 */
public final class EmptyMain {

    private EmptyMain() {
    }

    /** Returns at once; the child's exit code is 0. */
    public static void main(String[] args) {
    }
}
