package jcn.process;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The turn to read a pool worker's output, in the order a race would take it: the pipe's thread
 * has just seen its worker idle when a caller sends a task, finds the turn still held and so
 * leaves the reading to that thread. The thread must then read on, not leave the answer to its
 * next poll. And a fault while an item is handed on must end the pipe, not silence it.
 * {@code cat} stands in for the worker: what is written to it comes back as output.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PipeTurnTest {

    private Process cat;
    private Pipe pipe;

    @BeforeEach
    void startCat() throws Exception {
        cat = new ProcessBuilder("cat").start();
        pipe = new Pipe("cat", cat);
    }

    @AfterEach
    void stopCat() {
        cat.destroyForcibly();
    }

    // cat echoes it back as a frame of type 9 holding "ok".
    private void sendFrame() throws Exception {
        byte[] frame = {0, 0, 'j', 'c', 9, 0, 0, 0, 2, 'o', 'k'};
        pipe.sendText(new String(frame, StandardCharsets.ISO_8859_1));
    }

    @Test
    void aFaultInHandingOnAFrameEndsTheChildInsteadOfLeavingItUnread() throws Exception {
        CountDownLatch ended = new CountDownLatch(1);
        pipe.listen(new Pipe.Listener() {
            @Override
            public void frame(Wire.Frame frame) {
                throw new IllegalStateException("a fault in the listener");
            }

            @Override
            public void end() {
                ended.countDown();
            }
        });
        sendFrame();
        assertTrue(ended.await(10, TimeUnit.SECONDS), "the pipe must end, not stop reading with the fault");
        assertTrue(cat.waitFor(10, TimeUnit.SECONDS), "and its child is stopped");
        assertEquals(Pipe.Turn.ENDED, pipe.turn());
    }

    @Test
    void aTaskSentWhileTheThreadGivesUpItsTurnIsStillReadAtOnce() throws Exception {
        CountDownLatch sawIdle = new CountDownLatch(1);
        CountDownLatch goOn = new CountDownLatch(1);
        LinkedBlockingQueue<Wire.Frame> frames = new LinkedBlockingQueue<>();
        Thread readerThread = pipe.reader;
        boolean[] busy = {false};
        pipe.listen(new Pipe.Listener() {
            @Override
            public void frame(Wire.Frame frame) {
                frames.add(frame);
            }

            @Override
            public void end() {
            }

            @Override
            public boolean idle() {
                boolean idle;
                synchronized (busy) {
                    idle = !busy[0];
                }
                if (Thread.currentThread() == readerThread && sawIdle.getCount() > 0) {
                    // The pipe's thread has seen "idle"; hold it there while a task is sent.
                    sawIdle.countDown();
                    try {
                        goOn.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return idle;
            }
        });
        pipe.sendText("a line\n");
        assertTrue(sawIdle.await(10, TimeUnit.SECONDS));
        synchronized (busy) {
            busy[0] = true;
        }
        assertFalse(pipe.takeTurn(), "the pipe's thread still holds the turn");
        pipe.handToThread();
        goOn.countDown();
        // Time for the thread to give up its turn and look again (it reads "still THREAD" before that).
        Thread.sleep(300);
        assertEquals(Pipe.Turn.THREAD, pipe.turn(), "the thread gave up its turn and must take it back");
        // The answer now comes back and is read by the thread.
        sendFrame();
        Wire.Frame got = frames.poll(10, TimeUnit.SECONDS);
        assertNotNull(got);
        assertEquals(9, got.type());
    }
}
