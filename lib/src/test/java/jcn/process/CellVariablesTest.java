package jcn.process;

import org.dflib.jjava.kernel.execution.JJavaLoaderDelegate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A notebook variable copied to a child is there for every thread of the task, also for threads
 * that are the first to use the cell class holding it: "cells" here are classes that exist only as
 * bytes in a stand-in for the JJava kernel's loader, as a notebook's do.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CellVariablesTest {

    @Test
    @SuppressWarnings("unchecked")
    void threadsOfATaskThatFirstUseAnotherCellSeeItsVariable() throws Exception {
        JJavaLoaderDelegate kernel = new JJavaLoaderDelegate();
        for (String cell : List.of("REPL.$JShell$20", "REPL.$JShell$21")) {
            try (InputStream in = CellVariablesTest.class.getResourceAsStream("/" + cell.replace('.', '/') + ".class")) {
                kernel.declare(cell, in.readAllBytes());
            }
        }
        Class.forName("REPL.$JShell$20", true, kernel.loader).getField("base").setInt(null, 101);
        ProcessTask<List<Integer>> task = (ProcessTask<List<Integer>>) Class.forName("REPL.$JShell$21", true, kernel.loader)
                .getMethod("task").invoke(null);
        // Each child meets the other cell's class for the first time, on eight threads at once.
        List<Integer> seen = new ArrayList<>();
        for (int child = 0; child < 12; child++) {
            seen.addAll(ChildProcess.start(task).result());
        }
        assertEquals(List.of(101), seen.stream().distinct().toList(), "what the threads saw of base: " + seen);
    }
}
