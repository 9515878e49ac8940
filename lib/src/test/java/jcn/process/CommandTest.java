package jcn.process;

import org.junit.jupiter.api.Test;

import java.io.UncheckedIOException;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CommandTest {

    @Test
    void capturesOutputAndExitCode() {
        Command.Result ok = Command.run("sh", "-c", "echo hello; echo oops >&2; exit 3");
        assertEquals(3, ok.exitCode());
        assertTrue(ok.output().contains("hello") && ok.output().contains("oops"), ok.output());
        assertThrows(IllegalStateException.class, ok::orThrow);
    }

    @Test
    void aProgramStillRunningAtTheTimeoutIsKilled() {
        long t0 = System.nanoTime();
        assertThrows(Command.CommandTimeoutException.class, () -> Command.run(Duration.ofMillis(300), "sleep", "30"));
        assertTrue((System.nanoTime() - t0) / 1_000_000 < 5_000);
    }

    @Test
    void runsAPythonProgramWithArguments() {
        Command.Result r = Command.python("import sys\nprint(int(sys.argv[1]) * 2)\n", "21").orThrow();
        assertEquals("42", r.output().strip());
    }

    @Test
    void badInputIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Command.run());
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> Command.run("no-such-program-jcn"));
        assertTrue(e.getMessage().contains("could not start no-such-program-jcn"), e.getMessage());
    }
}
