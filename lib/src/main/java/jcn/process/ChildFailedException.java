package jcn.process;

import java.util.List;

/**
 * A task threw in a child JVM. The message names the child and the exception; the cause is a
 * copy of the child's exception chain, with the child's own stack trace, so that printing this
 * exception in the parent shows where in the child it went wrong.
 */
public final class ChildFailedException extends RuntimeException {

    private final String childName;
    private final String exceptionClass;

    ChildFailedException(String childName, String detail, RemoteThrowable cause) {
        super(childName + " failed: " + detail, cause);
        this.childName = childName;
        this.exceptionClass = cause == null ? null : cause.className();
    }

    /** The child's name, e.g. {@code child-1} or {@code worker-2}, with its pid. */
    public String childName() {
        return childName;
    }

    /** The class name of the exception the child threw, e.g. {@code java.lang.ArithmeticException}. */
    public String exceptionClass() {
        return exceptionClass;
    }

    /**
     * An exception thrown in another JVM, rebuilt in this one from its class name, message and
     * stack frames; its class itself is never loaded here.
     */
    public static final class RemoteThrowable extends RuntimeException {

        private final String className;

        RemoteThrowable(String className, String message, List<StackTraceElement> frames, RemoteThrowable cause) {
            super(message, cause, false, true);
            this.className = className;
            setStackTrace(frames.toArray(StackTraceElement[]::new));
        }

        /** The class name of the original exception. */
        public String className() {
            return className;
        }

        @Override
        public String toString() {
            String message = getMessage();
            return message == null ? className : className + ": " + message;
        }
    }
}
