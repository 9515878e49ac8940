package REPL;

import jcn.process.ProcessTask;

/** What JShell makes of a cell declaring {@code int base} and a lambda reading it (see ClusterTest). */
public class $JShell$7 {

    /** A notebook variable: JShell assigns it when the cell runs, never in an initializer. */
    public static int base;

    /** The cell's lambda: it reads the variable when it runs. */
    public static ProcessTask<Integer> task() {
        return () -> base;
    }
}
