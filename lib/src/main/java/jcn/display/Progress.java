package jcn.display;

import org.dflib.jjava.jupyter.kernel.BaseKernel;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;

import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A progress bar that redraws in place in the cell's output while a long demo runs.
 *
 * <p>It uses the kernel's display ids: the bar is shown once and every later update replaces
 * it, so a headless run keeps only the final state. Updates are throttled to ten a second, and
 * any thread may call {@link #step()}. Outside a notebook kernel (unit tests, plain
 * {@code java}) the bar prints nothing until {@link #done()}, which prints one line.
 */
public final class Progress implements AutoCloseable {

    private final String label;
    private final int total;
    private final AtomicInteger count = new AtomicInteger();
    private final String displayId = UUID.randomUUID().toString();
    private final BaseKernel kernel;
    private volatile long lastDrawNanos;

    private Progress(String label, int total) {
        this.label = label;
        this.total = total;
        this.kernel = currentKernel();
        if (kernel != null) {
            DisplayData data = render();
            assignDisplayId(data, displayId);
            kernel.display(data);
        }
    }

    /**
     * Shows a bar for {@code total} steps.
     *
     * @throws IllegalArgumentException if {@code total} is less than 1
     */
    public static Progress start(String label, int total) {
        Objects.requireNonNull(label, "label");
        if (total < 1) {
            throw new IllegalArgumentException("a progress bar needs at least 1 step, got " + total);
        }
        return new Progress(label, total);
    }

    /** Counts one step done and redraws if the last redraw is more than 0.1 s old. */
    public void step() {
        int now = count.incrementAndGet();
        long t = System.nanoTime();
        if (now >= total || t - lastDrawNanos > 100_000_000L) {
            lastDrawNanos = t;
            redraw();
        }
    }

    /** Steps done so far. */
    public int count() {
        return Math.min(count.get(), total);
    }

    /** Draws the final state. */
    public void done() {
        redraw();
        if (kernel == null) {
            System.out.println(text());
        }
    }

    /** Same as {@link #done()}. */
    @Override
    public void close() {
        done();
    }

    private void redraw() {
        if (kernel != null) {
            kernel.getIO().display.updateDisplay(displayId, render());
        }
    }

    private DisplayData render() {
        DisplayData data = new DisplayData(text());
        int done = count();
        data.putHTML("<div><progress max=\"" + total + "\" value=\"" + done + "\" style=\"width:320px\"></progress> "
                + TableView.escape(label) + ": " + done + " / " + total + "</div>");
        return data;
    }

    private String text() {
        int done = count();
        int filled = (int) Math.round(30.0 * done / total);
        return label + " [" + "#".repeat(filled) + ".".repeat(30 - filled) + "] " + done + "/" + total;
    }

    // setDisplayId returns void in the jjava-jupyter this jar compiles against and DisplayData in
    // newer kernels; calling it reflectively works with both.
    private static void assignDisplayId(DisplayData data, String id) {
        try {
            DisplayData.class.getMethod("setDisplayId", String.class).invoke(data, id);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("this kernel's DisplayData has no setDisplayId(String)", e);
        }
    }

    private static BaseKernel currentKernel() {
        try {
            return BaseKernel.notebookKernel();
        } catch (RuntimeException | LinkageError e) {
            return null;
        }
    }
}
