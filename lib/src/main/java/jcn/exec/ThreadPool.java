package jcn.exec;

import jcn.timing.Timeline;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A pool of threads for a notebook: the twin of Python's
 * {@code concurrent.futures.ThreadPoolExecutor}, on top of a JDK {@link ExecutorService}.
 *
 * <p>What it adds to the JDK executor, and why:
 * <ul>
 *   <li>{@link #map} returns results in input order, like {@code Executor.map}, and
 *       {@link #asCompleted} hands out results as they finish, like {@code as_completed};</li>
 *   <li>a task's exception arrives as a {@link TaskFailedException} naming the task's index and
 *       input, with the original exception as its cause;</li>
 *   <li>a caller interrupted while it waits in {@code map}, {@code asCompleted} or
 *       {@code close} (JupyterLab's Interrupt button does exactly that to a cell) cancels the
 *       tasks it is waiting for, interrupts the running ones and returns at once;</li>
 *   <li>every wait is bounded: {@link #close()} gives up after {@link #closeTimeout()};</li>
 *   <li>{@link #recordInto(Timeline)} draws who ran what, when.</li>
 * </ul>
 *
 * <p>A pool is {@link AutoCloseable}: use it in try-with-resources so a cell never leaves
 * threads behind. After {@link #shutdown(boolean)} or {@link #close()} it accepts no new tasks.
 */
public final class ThreadPool implements AutoCloseable {

    /** How long {@link #close()} and {@code shutdown(true)} wait before they interrupt what is left. */
    public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofMinutes(5);

    private final ExecutorService executor;
    private final int workers;
    private final String name;
    private volatile Timeline timeline;
    private volatile Duration closeTimeout = DEFAULT_CLOSE_TIMEOUT;
    private final AtomicInteger submitted = new AtomicInteger();

    private ThreadPool(ExecutorService executor, int workers, String name) {
        this.executor = executor;
        this.workers = workers;
        this.name = name;
    }

    /**
     * The number of workers Python's {@code ThreadPoolExecutor} picks when given none:
     * {@code min(32, os.cpu_count() + 4)}.
     */
    public static int defaultWorkers() {
        return Math.min(32, Runtime.getRuntime().availableProcessors() + 4);
    }

    /** A fixed pool of {@link #defaultWorkers()} platform threads named {@code worker-1}, {@code worker-2}, .... */
    public static ThreadPool fixed() {
        return fixed(defaultWorkers());
    }

    /**
     * A fixed pool of {@code workers} platform threads named {@code worker-1} to {@code worker-N}.
     * Threads start when tasks arrive, as in Python.
     *
     * @throws IllegalArgumentException if {@code workers} is less than 1
     */
    public static ThreadPool fixed(int workers) {
        return fixed(workers, "worker");
    }

    /**
     * A fixed pool of {@code workers} platform threads named {@code name-1} to {@code name-N}.
     *
     * @throws IllegalArgumentException if {@code workers} is less than 1
     */
    public static ThreadPool fixed(int workers, String name) {
        if (workers < 1) {
            throw new IllegalArgumentException("a pool needs at least 1 worker, got " + workers
                    + "; ThreadPool.fixed() picks Python's default, min(32, cores + 4) = " + defaultWorkers());
        }
        Objects.requireNonNull(name, "name");
        AtomicInteger next = new AtomicInteger(1);
        ThreadFactory factory = r -> {
            Thread t = new Thread(r, name + "-" + next.getAndIncrement());
            t.setDaemon(false);
            return t;
        };
        ThreadPoolExecutor executor = new ThreadPoolExecutor(workers, workers, 0L, TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(), factory);
        return new ThreadPool(executor, workers, name);
    }

    /**
     * A pool that starts one virtual thread per task, named {@code virtual-1}, {@code virtual-2},
     * .... It has no size limit: use it for tasks that mostly wait.
     */
    public static ThreadPool virtual() {
        ThreadFactory factory = Thread.ofVirtual().name("virtual-", 1).factory();
        return new ThreadPool(Executors.newThreadPerTaskExecutor(factory), Integer.MAX_VALUE, "virtual");
    }

    /** The number of worker threads, or {@link Integer#MAX_VALUE} for a virtual pool. */
    public int workers() {
        return workers;
    }

    /** Whether {@link #shutdown(boolean)} or {@link #close()} has been called. */
    public boolean isShutdown() {
        return executor.isShutdown();
    }

    /**
     * Makes every task run from now on record its span on {@code timeline}, on the lane of the
     * thread that runs it. Returns this pool.
     */
    public ThreadPool recordInto(Timeline timeline) {
        this.timeline = Objects.requireNonNull(timeline, "timeline");
        return this;
    }

    /** How long {@link #close()} waits for running tasks before it interrupts them. */
    public Duration closeTimeout() {
        return closeTimeout;
    }

    /** Sets how long {@link #close()} waits before it interrupts what is still running. Returns this pool. */
    public ThreadPool closeTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("closeTimeout must not be negative, got " + timeout);
        }
        this.closeTimeout = timeout;
        return this;
    }

    /**
     * Starts {@code task} and returns its future at once: the twin of
     * {@code executor.submit(fn)}. {@code future.isDone()} is Python's {@code done()} and
     * {@code future.get()} its {@code result()}.
     *
     * @throws NullPointerException       if {@code task} is null
     * @throws RejectedExecutionException if the pool is shut down
     */
    public <R> Future<R> submit(Callable<R> task) {
        Objects.requireNonNull(task, "task is null; pass the work to run as a lambda, e.g. () -> compute()");
        checkOpen();
        int number = submitted.getAndIncrement();
        try {
            return executor.submit(recorded(number, task));
        } catch (RejectedExecutionException e) {
            throw rejected();
        }
    }

    /** Starts {@code task}, which returns nothing, and returns its future at once. */
    public Future<?> submit(Runnable task) {
        Objects.requireNonNull(task, "task is null; pass the work to run as a lambda, e.g. () -> work()");
        return submit(() -> {
            task.run();
            return null;
        });
    }

    /**
     * Applies {@code task} to every input on the pool and returns the results in input order,
     * waiting for all of them: the twin of {@code list(executor.map(fn, inputs))}.
     *
     * <p>If a task throws, the tasks not yet finished are cancelled and a
     * {@link TaskFailedException} names the first failed input in input order. If the calling
     * thread is interrupted while it waits, every task of this call is cancelled (running ones are
     * interrupted) and {@link InterruptedException} is thrown at once.
     *
     * @throws NullPointerException       if {@code task} or {@code inputs} is null
     * @throws RejectedExecutionException if the pool is shut down
     */
    public <T, R> List<R> map(Task<? super T, ? extends R> task, Iterable<? extends T> inputs)
            throws InterruptedException {
        List<Future<R>> futures = submitEach(task, inputs);
        List<R> results = new ArrayList<>(futures.size());
        try {
            for (int i = 0; i < futures.size(); i++) {
                results.add(futures.get(i).get());
            }
        } catch (InterruptedException e) {
            cancelAll(futures);
            throw e;
        } catch (ExecutionException e) {
            cancelAll(futures);
            throw (TaskFailedException) e.getCause();
        }
        return results;
    }

    /**
     * Applies {@code task} to every input and hands out each result as soon as it is ready: the
     * twin of {@code as_completed}. Iterating blocks until the next task finishes.
     *
     * <p>A failed task surfaces as a {@link TaskFailedException} from {@code next()}, after the
     * remaining tasks are cancelled. If the iterating thread is interrupted while it waits, the
     * remaining tasks are cancelled, the interrupt flag is kept and {@code next()} throws
     * {@link CancellationException}.
     *
     * <p>The returned {@code Iterable} can be iterated once: results are handed out as they
     * finish and not kept, so a second {@code iterator()} throws {@link IllegalStateException}.
     * Collect the results into a list to go over them again.
     *
     * @throws NullPointerException       if {@code task} or {@code inputs} is null
     * @throws RejectedExecutionException if the pool is shut down
     */
    public <T, R> Iterable<Done<T, R>> asCompleted(Task<? super T, ? extends R> task, Iterable<? extends T> inputs) {
        Objects.requireNonNull(task, "task is null; pass the function to apply, e.g. x -> x * x");
        Objects.requireNonNull(inputs, "inputs is null; pass an empty list to run nothing");
        checkOpen();
        LinkedBlockingQueue<CompletionTask<T, R>> finished = new LinkedBlockingQueue<>();
        List<CompletionTask<T, R>> all = new ArrayList<>();
        int index = 0;
        for (T input : inputs) {
            CompletionTask<T, R> future = new CompletionTask<>(index, input,
                    recorded(index, call(task, index, input)), finished);
            all.add(future);
            executor.execute(future);
            index++;
        }
        int total = index;
        AtomicBoolean iterated = new AtomicBoolean();
        return () -> once(iterated, new Iterator<>() {
            private int handedOut;

            @Override
            public boolean hasNext() {
                return handedOut < total;
            }

            @Override
            public Done<T, R> next() {
                if (!hasNext()) {
                    throw new NoSuchElementException("all " + total + " tasks have been handed out");
                }
                try {
                    CompletionTask<T, R> next = finished.take();
                    handedOut++;
                    return new Done<>(next.index, next.input, next.get());
                } catch (InterruptedException e) {
                    cancelAll(all);
                    Thread.currentThread().interrupt();
                    throw new CancellationException("interrupted while waiting for the next task to finish; "
                            + "the remaining tasks were cancelled");
                } catch (ExecutionException e) {
                    cancelAll(all);
                    throw (TaskFailedException) e.getCause();
                }
            }
        });
    }

    // asCompleted hands each result out as it finishes and keeps none: a second pass would wait
    // for results that never come, so it is refused.
    private static <E> Iterator<E> once(AtomicBoolean iterated, Iterator<E> iterator) {
        if (!iterated.compareAndSet(false, true)) {
            throw new IllegalStateException("the results of asCompleted can be iterated only once: each is handed out"
                    + " as it finishes and not kept. To go over them again, collect them into a list first, e.g."
                    + " var done = new ArrayList<Done<T, R>>(); pool.asCompleted(task, inputs).forEach(done::add);");
        }
        return iterator;
    }

    /**
     * Stops accepting tasks. With {@code wait} true, also waits until every submitted task has
     * ended (at most {@link #closeTimeout()}, after which the rest are interrupted and an
     * {@link IllegalStateException} says so); with {@code wait} false, returns at once while
     * queued and running tasks go on. Python's {@code shutdown(wait)} behaves the same, minus the
     * bound.
     *
     * @throws InterruptedException if interrupted while waiting; every task is then interrupted
     */
    public void shutdown(boolean wait) throws InterruptedException {
        executor.shutdown();
        if (!wait) {
            return;
        }
        try {
            if (!executor.awaitTermination(closeTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                executor.shutdownNow();
                throw new IllegalStateException("tasks of pool '" + name + "' were still running after "
                        + closeTimeout + "; they have been interrupted");
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            throw e;
        }
    }

    /**
     * Interrupts running tasks, drops queued ones and stops accepting new ones; returns at once.
     * Returns how many queued tasks never started.
     */
    public int shutdownNow() {
        return executor.shutdownNow().size();
    }

    /**
     * Waits up to {@code timeout} for every task to end after a shutdown; returns whether they did.
     */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return executor.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Shuts the pool down and waits for its tasks, like {@code shutdown(true)}; if the calling
     * thread is interrupted, interrupts every task, returns with the interrupt flag set.
     *
     * @throws IllegalStateException if tasks were still running after {@link #closeTimeout()}
     */
    @Override
    public void close() {
        try {
            shutdown(true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "ThreadPool[" + name + ", workers=" + (workers == Integer.MAX_VALUE ? "unbounded" : workers)
                + (isShutdown() ? ", shut down" : "") + "]";
    }

    private <T, R> List<Future<R>> submitEach(Task<? super T, ? extends R> task, Iterable<? extends T> inputs) {
        Objects.requireNonNull(task, "task is null; pass the function to apply, e.g. x -> x * x");
        Objects.requireNonNull(inputs, "inputs is null; pass an empty list to map nothing");
        checkOpen();
        // Presizing matters at 100 000 tiny tasks: list growth is a visible share of the cost.
        List<Future<R>> futures = inputs instanceof java.util.Collection<?> c ? new ArrayList<>(c.size()) : new ArrayList<>();
        int index = 0;
        try {
            for (T input : inputs) {
                futures.add(executor.submit(recorded(index, call(task, index, input))));
                index++;
            }
        } catch (RejectedExecutionException e) {
            cancelAll(futures);
            throw rejected();
        }
        return futures;
    }

    private static <T, R> Callable<R> call(Task<? super T, ? extends R> task, int index, T input) {
        return () -> {
            try {
                return task.apply(input);
            } catch (Throwable t) {
                throw new TaskFailedException(index, input, t);
            }
        };
    }

    private <R> Callable<R> recorded(int number, Callable<R> task) {
        Timeline t = timeline;
        if (t == null) {
            return task;   // no label built: at 100 000 tiny tasks that string is a measurable cost
        }
        String label = "task " + number;
        return () -> t.record(label, task);
    }

    private void checkOpen() {
        if (executor.isShutdown()) {
            throw rejected();
        }
    }

    private RejectedExecutionException rejected() {
        return new RejectedExecutionException("pool '" + name + "' is shut down and takes no new tasks; "
                + "create a new pool (try (var pool = ThreadPool.fixed(n)) { ... })");
    }

    private static void cancelAll(List<? extends Future<?>> futures) {
        for (Future<?> f : futures) {
            f.cancel(true);
        }
    }

    /** A task that remembers its input and reports itself to a queue when it ends. */
    private static final class CompletionTask<T, R> extends FutureTask<R> {
        private final int index;
        private final T input;
        private final LinkedBlockingQueue<CompletionTask<T, R>> finished;

        CompletionTask(int index, T input, Callable<R> work, LinkedBlockingQueue<CompletionTask<T, R>> finished) {
            super(work);
            this.index = index;
            this.input = input;
            this.finished = finished;
        }

        @Override
        protected void done() {
            finished.add(this);
        }
    }
}
