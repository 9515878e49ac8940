package REPL;

/** What JShell makes of a cell declaring {@code int base} (see CellVariablesTest). */
public class $JShell$20 {

    /** A notebook variable: JShell assigns it when the cell runs, never in an initializer. */
    public static int base;
}
