package jcn.cluster;

import java.util.OptionalInt;
import jcn.process.ChildProcess;

/**
 * One member JVM of a {@link Cluster}: its name (its output lines are marked {@code [name]}),
 * process id and port. Obtained from {@link Cluster#members()}; a killed member's object stays
 * valid and says it is no longer alive.
 */
public final class MemberJvm {

    private final String name;
    private final int port;
    private final ChildProcess<Void> process;

    MemberJvm(String name, int port, ChildProcess<Void> process) {
        this.name = name;
        this.port = port;
        this.process = process;
    }

    /** {@code member-N}, numbered in the order the cluster started them. */
    public String name() {
        return name;
    }

    /** The member JVM's process id. */
    public long pid() {
        return process.pid();
    }

    /** The port the member listens on, at 127.0.0.1. */
    public int port() {
        return port;
    }

    /** Whether the member's JVM is still running (it may be running and yet not, or no longer, in the cluster). */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** The JVM's exit code once it has ended (137 after SIGKILL); empty while it runs. */
    public OptionalInt exitCode() {
        return process.exitCode();
    }

    ChildProcess<Void> process() {
        return process;
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ", port " + port + (process.isAlive() ? "" : ", ended") + ")";
    }
}
