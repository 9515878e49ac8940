package jcn.process;

import jcn.exec.Done;
import jcn.exec.TaskFailedException;
import jcn.timing.Timeline;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.ArrayDeque;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A pool of worker JVMs, reused across tasks: the twin of Python's {@code multiprocessing.Pool}
 * and {@code concurrent.futures.ProcessPoolExecutor}.
 *
 * <p>Tasks run first come, first served, one at a time per worker. A task may be a lambda
 * written in a notebook cell; its classes travel to each worker once. What is better than the
 * original: a worker that dies in the middle of a task (killed, {@code System.exit}, out of
 * memory) fails that task alone, with a {@link ChildDiedException} saying how the worker died;
 * the pool starts a new worker and the other tasks go on, where CPython marks the whole pool
 * broken. {@link #recordInto(Timeline)} draws which worker ran which task.
 *
 * <p>Life cycle: {@link #shutdown()} takes no more tasks and lets the workers finish what was
 * submitted (Python's {@code close()}); {@link #join()} then waits for them to exit;
 * {@link #terminate()} kills them at once; {@link #close()} is shutdown and join, bounded by
 * {@link #closeTimeout(Duration)}, for try-with-resources.
 */
public final class ProcessPool implements AutoCloseable {

    /** How long {@link #close()} waits for submitted tasks before it terminates the pool. */
    public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofMinutes(5);
    /** How long a new worker may take to start and say it is ready. */
    public static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private static final AtomicInteger POOLS = new AtomicInteger();

    private final String name;
    private final List<String> jvmOptions;
    private final CellCode classpath;
    private final Object lock = new Object();
    private final ArrayDeque<Job> pending = new ArrayDeque<>();
    private final List<Slot> slots = new ArrayList<>();
    private final AtomicInteger workerNumbers = new AtomicInteger();
    private final AtomicLong taskNumbers = new AtomicLong();
    private volatile boolean shutdown;
    private volatile boolean terminated;
    private volatile Timeline timeline;
    private volatile Duration closeTimeout = DEFAULT_CLOSE_TIMEOUT;

    private ProcessPool(List<String> jvmOptions) {
        this.name = "pool-" + POOLS.incrementAndGet();
        this.jvmOptions = List.copyOf(jvmOptions);
        this.classpath = CellCode.of(ProcessPool.class);
    }

    /** A pool with one worker per core, Python's default. */
    public static ProcessPool create() {
        return create(Runtime.getRuntime().availableProcessors());
    }

    /**
     * A pool of {@code workers} worker JVMs, started now; returns once all are ready.
     *
     * @param jvmOptions extra options for each worker JVM, e.g. {@code -Xmx256m}
     * @throws IllegalArgumentException if {@code workers} is less than 1
     * @throws IllegalStateException    if the bound on live child processes would be passed,
     *                                  or a worker did not start (the others are stopped)
     */
    public static ProcessPool create(int workers, String... jvmOptions) {
        if (workers < 1) {
            throw new IllegalArgumentException("a pool needs at least 1 worker, not " + workers);
        }
        int alive = ChildProcess.alive();
        if (alive + workers > ChildProcess.maxAlive()) {
            throw new IllegalStateException("a pool of " + workers + " would make " + (alive + workers) + " live child"
                    + " processes, over the bound of " + ChildProcess.maxAlive() + "; use fewer workers, close other"
                    + " pools, or raise the bound with ChildProcess.setMaxAlive(n)");
        }
        ProcessPool pool = new ProcessPool(List.of(jvmOptions));
        try {
            for (int i = 0; i < workers; i++) {
                Slot slot = pool.new Slot();
                pool.slots.add(slot);
                slot.launch();
            }
            long deadline = QueueBroker.deadline(START_TIMEOUT);
            for (Slot slot : pool.slots) {
                slot.awaitReady(deadline);
            }
        } catch (RuntimeException e) {
            pool.terminate();
            throw e;
        }
        return pool;
    }

    /** Draws every task from now on into {@code timeline}, one lane per worker. */
    public ProcessPool recordInto(Timeline timeline) {
        this.timeline = timeline;
        return this;
    }

    /** Sets how long {@link #close()} waits before it terminates the pool. */
    public ProcessPool closeTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        this.closeTimeout = timeout;
        return this;
    }

    /** The number of worker JVMs. */
    public int workers() {
        return slots.size();
    }

    /** The process ids of the current workers, in slot order; a replaced worker shows its successor. */
    public List<Long> workerPids() {
        List<Long> pids = new ArrayList<>();
        for (Slot slot : slots) {
            Worker w = slot.worker;
            if (w != null) {
                pids.add(w.child.process().pid());
            }
        }
        return pids;
    }

    /**
     * Queues {@code task}; the future completes with its value, or fails with a
     * {@link ChildFailedException} (the task threw) or {@link ChildDiedException} (its worker died).
     *
     * @throws IllegalStateException    after shutdown
     * @throws IllegalArgumentException if the task cannot be serialised
     */
    public <T> Future<T> submit(ProcessTask<T> task) {
        Objects.requireNonNull(task, "task");
        return enqueue(task, task.getClass(), task, null);
    }

    /** The same as {@link #submit}, named after Python's {@code Pool.apply_async}. */
    public <T> Future<T> applyAsync(ProcessTask<T> task) {
        return submit(task);
    }

    /**
     * Runs {@code task} on a worker and waits for its value, the twin of {@code Pool.apply}.
     *
     * @throws ChildFailedException if the task threw
     * @throws ChildDiedException   if its worker died while running it
     */
    public <T> T apply(ProcessTask<T> task) throws InterruptedException {
        Future<T> future = submit(task);
        try {
            return future.get();
        } catch (ExecutionException e) {
            throw rethrow(e.getCause());
        } catch (InterruptedException e) {
            future.cancel(true);
            throw e;
        }
    }

    @SuppressWarnings("unchecked")
    private <T> CompletableFuture<T> enqueue(ProcessTask<?> task, Class<?> codeOf, Object lambda, String label) {
        if (shutdown) {
            throw new IllegalStateException(name + " is shut down and takes no more tasks; make a new pool");
        }
        Tasks.Prepared prepared = Tasks.Prepared.of(task, codeOf, lambda, "a task");
        long id = taskNumbers.incrementAndGet();
        Job job = new Job(id, label == null ? "task " + id : label, prepared, new CompletableFuture<>());
        Slot idle = null;
        Job first = null;
        synchronized (lock) {
            if (shutdown) {
                throw new IllegalStateException(name + " is shut down and takes no more tasks; make a new pool");
            }
            pending.add(job);
            for (Slot slot : slots) {
                if (slot.canTake()) {
                    idle = slot;
                    first = pending.poll();
                    idle.running = first;
                    break;
                }
            }
        }
        if (idle != null) {
            idle.send(first);
        }
        return (CompletableFuture<T>) job.future;
    }

    /**
     * Applies {@code function} to every input on the workers; results in input order, like
     * {@code Pool.map}.
     *
     * @throws TaskFailedException  naming the first input (in order) whose task failed; queued tasks are cancelled
     * @throws InterruptedException if interrupted; queued tasks are cancelled, running ones finish in their workers
     */
    public <T, R> List<R> map(ProcessFunction<? super T, ? extends R> function, Iterable<? extends T> inputs)
            throws InterruptedException {
        List<T> in = new ArrayList<>();
        inputs.forEach(in::add);
        List<CompletableFuture<R>> futures = submitAll(function, in);
        List<R> results = new ArrayList<>(in.size());
        try {
            for (int i = 0; i < futures.size(); i++) {
                try {
                    results.add(futures.get(i).get());
                } catch (ExecutionException e) {
                    futures.forEach(f -> f.cancel(false));
                    throw new TaskFailedException(i, in.get(i), e.getCause());
                }
            }
        } catch (InterruptedException e) {
            futures.forEach(f -> f.cancel(false));
            throw e;
        }
        return results;
    }

    /**
     * Applies {@code function} to every input and hands out results as they finish, the twin
     * of {@code imap_unordered} and {@code as_completed}. A failed task surfaces as a
     * {@link TaskFailedException} from {@code next()}.
     *
     * <p>The returned {@code Iterable} can be iterated once: results are handed out as they
     * finish and not kept, so a second {@code iterator()} throws {@link IllegalStateException}.
     * Collect the results into a list to go over them again.
     */
    public <T, R> Iterable<Done<T, R>> asCompleted(ProcessFunction<? super T, ? extends R> function,
                                                   Iterable<? extends T> inputs) {
        List<T> in = new ArrayList<>();
        inputs.forEach(in::add);
        List<CompletableFuture<R>> futures = submitAll(function, in);
        BlockingQueue<Integer> finished = new LinkedBlockingQueue<>();
        for (int i = 0; i < futures.size(); i++) {
            int index = i;
            futures.get(i).whenComplete((r, e) -> finished.add(index));
        }
        AtomicBoolean iterated = new AtomicBoolean();
        return () -> once(iterated, new Iterator<>() {
            private int handed;

            @Override
            public boolean hasNext() {
                return handed < futures.size();
            }

            @Override
            public Done<T, R> next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                try {
                    Integer index = finished.poll(closeTimeout.toNanos(), TimeUnit.NANOSECONDS);
                    if (index == null) {
                        throw new IllegalStateException("no task finished within " + closeTimeout);
                    }
                    handed++;
                    try {
                        return new Done<>(index, in.get(index), futures.get(index).get());
                    } catch (ExecutionException e) {
                        throw new TaskFailedException(index, in.get(index), e.getCause());
                    }
                } catch (InterruptedException e) {
                    futures.forEach(f -> f.cancel(false));
                    Thread.currentThread().interrupt();
                    throw new CancellationException("interrupted while waiting for results; queued tasks were cancelled");
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
                    + " var done = new ArrayList<Done<T, R>>(); pool.asCompleted(function, inputs).forEach(done::add);");
        }
        return iterator;
    }

    private <T, R> List<CompletableFuture<R>> submitAll(ProcessFunction<? super T, ? extends R> function, List<T> inputs) {
        Objects.requireNonNull(function, "function");
        List<CompletableFuture<R>> futures = new ArrayList<>(inputs.size());
        for (T input : inputs) {
            futures.add(enqueue(new Apply<>(function, input), function.getClass(), function, String.valueOf(input)));
        }
        return futures;
    }

    /** Takes no more tasks; the workers finish what was submitted, then exit. Python's {@code close()}. */
    public void shutdown() {
        List<Slot> idle = new ArrayList<>();
        synchronized (lock) {
            if (shutdown) {
                return;
            }
            shutdown = true;
            if (pending.isEmpty()) {
                for (Slot slot : slots) {
                    if (slot.running == null) {
                        idle.add(slot);
                    }
                }
            }
        }
        idle.forEach(Slot::stop);
    }

    /**
     * Waits for the workers to exit after {@link #shutdown()}, at most {@link #closeTimeout};
     * then terminates the pool.
     *
     * @throws IllegalStateException if the pool was not shut down first (Python raises too)
     */
    public void join() throws InterruptedException {
        if (!shutdown) {
            throw new IllegalStateException(name + " still takes tasks: call shutdown() before join(), as Python"
                    + " requires close() before join()");
        }
        if (!awaitTermination(closeTimeout)) {
            terminate();
            awaitTermination(Duration.ofSeconds(5));
        }
    }

    /** {@code shutdown()}, then, if {@code wait}, {@link #join()}: the twin of {@code Executor.shutdown(wait)}. */
    public void shutdown(boolean wait) throws InterruptedException {
        shutdown();
        if (wait) {
            join();
        }
    }

    /** Waits at most {@code timeout} for every worker to exit, and its output to be copied; returns whether they did. */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        long deadline = QueueBroker.deadline(timeout);
        while (true) {
            boolean done;
            synchronized (lock) {
                done = shutdown && pending.isEmpty();
                for (Slot slot : slots) {
                    done &= slot.ended();
                }
            }
            if (done) {
                for (Slot slot : slots) {
                    Worker w = slot.worker;
                    if (w != null) {
                        w.child.awaitOutput(QueueBroker.millis(QueueBroker.remaining(deadline)));
                    }
                }
                return true;
            }
            if (QueueBroker.remaining(deadline) <= 0) {
                return false;
            }
            Thread.sleep(Math.min(10, QueueBroker.millis(QueueBroker.remaining(deadline))));
        }
    }

    /** Kills every worker now; tasks not finished fail with {@link CancellationException}. */
    public void terminate() {
        List<Job> left;
        List<Slot> all;
        synchronized (lock) {
            shutdown = true;
            terminated = true;
            left = new ArrayList<>(pending);
            pending.clear();
            all = new ArrayList<>(slots);
        }
        for (Job job : left) {
            job.future.completeExceptionally(new CancellationException(name + " was terminated"));
        }
        for (Slot slot : all) {
            Worker w = slot.worker;
            if (w != null) {
                w.child.process().destroyForcibly();
            }
        }
    }

    /** Shutdown and join: submitted tasks finish, at most {@link #closeTimeout}, then the rest is killed. */
    @Override
    public void close() {
        shutdown();
        try {
            join();
        } catch (InterruptedException e) {
            terminate();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "ProcessPool[" + name + ", " + slots.size() + " workers"
                + (terminated ? ", terminated" : shutdown ? ", shut down" : "") + "]";
    }

    private static RuntimeException rethrow(Throwable cause) {
        if (cause instanceof RuntimeException r) {
            return r;
        }
        return new IllegalStateException(cause);
    }

    /** A task waiting for, or running on, a worker. */
    private record Job(long id, String label, Tasks.Prepared prepared, CompletableFuture<Object> future) {
    }

    /** Applies a function to one input: what {@link #map} sends for each input. */
    record Apply<T, R>(ProcessFunction<? super T, ? extends R> function, T input) implements ProcessTask<R> {
        @Override
        public R call() throws Exception {
            return function.apply(input);
        }
    }

    /** One worker JVM and what it has been sent. */
    private record Worker(String name, Launcher.Child child, CellCode.Shipment shipment) {
        String describe() {
            return name + " (pid " + child.process().pid() + ")";
        }
    }

    /**
     * A place for one worker. The thread that reads the worker's output answers its tasks and
     * hands it the next one, so a round trip costs no extra thread hand-over; a worker that
     * dies is replaced in the same place.
     */
    private final class Slot implements Pipe.Listener {
        volatile Worker worker;
        Job running;
        long started;
        boolean ready;
        boolean stopped;
        boolean ended;
        final java.util.concurrent.CountDownLatch firstReady = new java.util.concurrent.CountDownLatch(1);

        void launch() {
            String workerName = "worker-" + workerNumbers.incrementAndGet();
            Worker w = new Worker(workerName, Launcher.start(workerName, "worker", classpath, jvmOptions),
                    new CellCode.Shipment());
            synchronized (lock) {
                worker = w;
                ready = false;
                stopped = false;
                ended = false;
            }
            w.child.pipe().listen(this);
        }

        // With the lock held.
        boolean canTake() {
            return ready && running == null && !stopped && !terminated;
        }

        // With the lock held: no worker will run here any more.
        boolean ended() {
            return ended || worker == null;
        }

        void awaitReady(long deadline) {
            try {
                if (!firstReady.await(QueueBroker.remaining(deadline), TimeUnit.NANOSECONDS)) {
                    throw new IllegalStateException(worker.describe() + " did not start within " + START_TIMEOUT);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while " + name + " was starting its workers", e);
            }
            synchronized (lock) {
                if (!ready) {
                    Worker w = worker;
                    throw new IllegalStateException((w == null ? "a worker" : w.describe()) + " "
                            + exitOf(w) + " before it was ready; see its output above");
                }
            }
        }

        void send(Job job) {
            Worker w = worker;
            started = System.nanoTime();
            try {
                w.child.pipe().send(ChildMain.TASK, Tasks.frame(job.id, job.prepared, w.shipment));
            } catch (IOException e) {
                // The worker is dying; end() fails the job when its output closes.
            } catch (RuntimeException e) {
                finish(job, null, e);
            }
        }

        void stop() {
            synchronized (lock) {
                if (stopped) {
                    return;
                }
                stopped = true;
            }
            try {
                worker.child.pipe().send(ChildMain.STOP, new byte[0]);
            } catch (IOException ignored) {
                // already gone
            }
        }

        @Override
        public void frame(Wire.Frame frame) {
            if (frame.type() == ChildMain.READY) {
                Job next;
                synchronized (lock) {
                    ready = true;
                    next = stopped || terminated || running != null ? null : pending.poll();
                    if (next != null) {
                        running = next;
                    }
                }
                firstReady.countDown();
                if (next != null) {
                    send(next);
                } else if (shutdown) {
                    stopIfIdle();
                }
                return;
            }
            Job job;
            synchronized (lock) {
                job = running;
            }
            if (job == null) {
                return;
            }
            Worker w = worker;
            Object value = null;
            RuntimeException error = null;
            try {
                value = Tasks.answer(frame, w.describe(), job.prepared.code().loader());
            } catch (RuntimeException e) {
                error = e;
            }
            finish(job, value, error);
        }

        private void finish(Job job, Object value, RuntimeException error) {
            record(job);
            Job next;
            synchronized (lock) {
                next = stopped || terminated ? null : pending.poll();
                running = next;
            }
            if (error != null) {
                job.future.completeExceptionally(error);
            } else {
                job.future.complete(value);
            }
            if (next != null) {
                send(next);
            } else if (shutdown) {
                stopIfIdle();
            }
        }

        private void stopIfIdle() {
            boolean idle;
            synchronized (lock) {
                idle = running == null && pending.isEmpty();
            }
            if (idle) {
                stop();
            }
        }

        private void record(Job job) {
            Timeline t = timeline;
            if (t != null) {
                t.add(worker.name, job.label, started, System.nanoTime());
            }
        }

        @Override
        public void end() {
            Worker w = worker;
            String how = exitOf(w);
            Job job;
            boolean replace;
            boolean wasReady;
            synchronized (lock) {
                job = running;
                running = null;
                wasReady = ready;
                ready = false;
                replace = !terminated && !(stopped && job == null) && !(shutdown && pending.isEmpty() && job == null);
                if (!replace) {
                    ended = true;
                }
            }
            firstReady.countDown();
            if (job != null) {
                record(job);
                if (terminated) {
                    job.future.completeExceptionally(new CancellationException(name + " was terminated"));
                } else {
                    Process p = w.child.process();
                    job.future.completeExceptionally(new ChildDiedException(job.label + " failed: " + w.describe()
                            + " died while running it (" + how + "); the pool has started a new worker",
                            p.isAlive() ? -1 : p.exitValue()));
                }
            }
            if (replace && wasReady) {
                try {
                    launch();
                } catch (RuntimeException e) {
                    System.err.println("jcn: " + name + " could not start a new worker: " + e.getMessage());
                    failAll(e);
                }
            } else if (replace) {
                // A replacement that died before it was ready: no use starting another in a loop.
                boolean none;
                synchronized (lock) {
                    ended = true;
                    none = slots.stream().allMatch(Slot::ended);
                }
                if (none) {
                    failAll(new IllegalStateException("every worker of " + name + " has died; the last " + how));
                }
            }
        }

        private void failAll(RuntimeException cause) {
            List<Job> left;
            synchronized (lock) {
                ended = true;
                left = new ArrayList<>(pending);
                pending.clear();
            }
            for (Job j : left) {
                j.future.completeExceptionally(new IllegalStateException(j.label + " could not run: " + name
                        + " could not replace a dead worker", cause));
            }
        }

        private String exitOf(Worker w) {
            if (w == null) {
                return "ended";
            }
            Process p = w.child.process();
            try {
                if (!p.waitFor(2, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    p.waitFor(2, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return p.isAlive() ? "stopped answering" : Launcher.describeExit(p.exitValue());
        }
    }
}
