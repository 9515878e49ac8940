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
 * written in a notebook cell; its classes travel to each worker once. Queues and locks work in
 * its tasks whatever order they were made in, in workers started before or after them.
 *
 * <p>What is better than the original: a worker that dies in the middle of a task (killed,
 * {@code System.exit}, out of memory) fails that task alone, with a {@link ChildDiedException}
 * saying how the worker died; the pool starts a new worker and the other tasks go on, where
 * {@code ProcessPoolExecutor} marks the whole pool broken and {@code Pool} never returns the
 * lost task's result. If no worker can be started in its place (the bound on live children,
 * a JVM that will not start) and no worker is left, queued tasks fail with an
 * {@link IllegalStateException} and so does every later submit: nothing waits forever.
 *
 * <p>Cancelling: {@code cancel(false)} on a queued task's future removes it, and it never
 * runs; on a running one it marks the future cancelled and lets the task finish in its
 * worker, its result dropped. {@code cancel(true)} on a running task kills its worker, which
 * is replaced. An interrupted {@link #apply}, {@link #map} or {@link #asCompleted} cancels
 * the tasks it submitted that way, running ones included, so a notebook's Interrupt button
 * stops what the cell started.
 *
 * <p>Life cycle: {@link #shutdown()} takes no more tasks and lets the workers finish what was
 * submitted (Python's {@code close()}); {@link #join()} then waits for them to exit;
 * {@link #terminate()} kills them at once; {@link #close()} is shutdown and join, bounded by
 * {@link #closeTimeout(Duration)}, and terminates instead if the closing thread is interrupted.
 * {@link #recordInto(Timeline)} draws which worker ran which task.
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
    private RuntimeException broken;

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
            long deadline = Time.deadline(START_TIMEOUT);
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

    /** Sets how long {@link #close()} and {@link #join()} wait before they terminate the pool. */
    public ProcessPool closeTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        this.closeTimeout = timeout;
        return this;
    }

    /** The number of worker places, each holding a live worker unless the pool has ended. */
    public int workers() {
        return slots.size();
    }

    /** The process ids of the current workers, in slot order; a replaced worker shows its successor. */
    public List<Long> workerPids() {
        List<Long> pids = new ArrayList<>();
        for (Slot slot : slots) {
            Worker w = slot.worker;
            if (w != null && w.child.process().isAlive()) {
                pids.add(w.child.process().pid());
            }
        }
        return pids;
    }

    /**
     * Queues {@code task}; the future completes with its value, or fails with a
     * {@link ChildFailedException} (the task threw) or {@link ChildDiedException} (its worker
     * died). See the class description for what {@code cancel} does.
     *
     * @throws IllegalStateException    after shutdown, or when no worker is left and none can be started
     * @throws IllegalArgumentException if the task cannot be serialised
     */
    public <T> Future<T> submit(ProcessTask<T> task) {
        Objects.requireNonNull(task, "task");
        return enqueue(task, task.getClass(), task, null, false);
    }

    /** The same as {@link #submit}, named after Python's {@code Pool.apply_async}. */
    public <T> Future<T> applyAsync(ProcessTask<T> task) {
        return submit(task);
    }

    /**
     * Runs {@code task} on a worker and waits for its value, the twin of {@code Pool.apply}.
     * Blocks until the task ends; every task ends, by finishing, by its worker dying, or by the
     * pool being terminated. When the task goes straight to an idle worker, the calling thread
     * reads that worker's answer itself (and copies what it prints meanwhile), so no other
     * thread has to be woken for the round trip.
     *
     * @throws ChildFailedException if the task threw
     * @throws ChildDiedException   if its worker died while running it
     * @throws InterruptedException if interrupted; the task is cancelled, and its worker
     *                              killed and replaced if it was running
     */
    public <T> T apply(ProcessTask<T> task) throws InterruptedException {
        Objects.requireNonNull(task, "task");
        Job job = (Job) enqueue(task, task.getClass(), task, null, true);
        Pipe direct = job.readBy;
        if (direct != null) {
            // This thread reads the worker's answer itself: one thread hand-over fewer per task.
            if (direct.readAsCaller(job::isDone, () -> job.cancel(true))) {
                throw new InterruptedException("interrupted while " + job.label + " ran on " + name
                        + "; the task was cancelled and its worker killed");
            }
        }
        try {
            @SuppressWarnings("unchecked")
            T value = (T) job.get();
            return value;
        } catch (ExecutionException e) {
            throw rethrow(e.getCause());
        } catch (InterruptedException e) {
            job.cancel(true);
            throw e;
        }
    }

    /**
     * Queues a task, or sends it to an idle worker at once. With {@code callerReads}, a task sent
     * at once to a worker whose output no one reads is marked for the caller to read its answer
     * ({@link Job#readBy}); otherwise the worker's own thread reads it.
     */
    @SuppressWarnings("unchecked")
    private <T> CompletableFuture<T> enqueue(ProcessTask<?> task, Class<?> codeOf, Object lambda, String label,
                                             boolean callerReads) {
        checkTakesTasks();
        Tasks.Prepared prepared = Tasks.Prepared.of(task, codeOf, lambda, "a task");
        long id = taskNumbers.incrementAndGet();
        Job job = new Job(id, label == null ? "task " + id : label, prepared);
        Slot idle = null;
        Worker to = null;
        synchronized (lock) {
            checkTakesTasks();
            for (Slot slot : slots) {
                if (slot.state == State.IDLE) {
                    idle = slot;
                    break;
                }
            }
            if (idle != null) {
                idle.running = job;
                idle.state = State.BUSY;
                to = idle.worker;
            } else {
                pending.add(job);
            }
        }
        if (idle != null) {
            Pipe pipe = to.child.pipe();
            // The turn is taken before the task goes, so the answer cannot be read by anyone else.
            if (callerReads && pipe.takeTurn()) {
                job.readBy = pipe;
            }
            idle.send(job, to);
            if (job.readBy == null) {
                pipe.handToThread();
            }
        }
        return (CompletableFuture<T>) job;
    }

    // With or without the lock: a submit after shutdown, or to a pool with no worker left, fails now.
    private void checkTakesTasks() {
        if (shutdown) {
            throw new IllegalStateException(name + " is shut down and takes no more tasks; make a new pool");
        }
        synchronized (lock) {
            if (broken != null) {
                throw new IllegalStateException(name + " has no worker left and could not start one ("
                        + broken.getMessage() + "); make a new pool", broken);
            }
        }
    }

    /**
     * Applies {@code function} to every input on the workers; results in input order, like
     * {@code Pool.map}.
     *
     * @throws TaskFailedException  naming the first input (in order) whose task failed; the
     *                              other tasks are cancelled (queued ones removed, running ones finish)
     * @throws InterruptedException if interrupted; every task of this call is cancelled, running
     *                              ones by killing and replacing their workers
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
            futures.forEach(f -> f.cancel(true));
            throw e;
        }
        return results;
    }

    /**
     * Applies {@code function} to every input and hands out results as they finish, the twin
     * of {@code imap_unordered} and {@code as_completed}. A failed task surfaces as a
     * {@link TaskFailedException} from {@code next()}, which blocks until the next task ends.
     * The returned {@code Iterable} can be iterated once: a second {@code iterator()} call
     * throws {@link IllegalStateException} (collect the results into a list to go over them
     * again). Interrupting a thread blocked in {@code next()} cancels every task of this call,
     * running ones by killing their workers, and throws {@link CancellationException}.
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
        java.util.concurrent.atomic.AtomicBoolean iterated = new java.util.concurrent.atomic.AtomicBoolean();
        return () -> {
            if (!iterated.compareAndSet(false, true)) {
                throw new IllegalStateException("the results of asCompleted can be iterated once, as they arrive;"
                        + " collect them into a list to go over them again");
            }
            return new Iterator<>() {
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
                        int index = finished.take();
                        handed++;
                        try {
                            return new Done<>(index, in.get(index), futures.get(index).get());
                        } catch (ExecutionException | CancellationException e) {
                            throw new TaskFailedException(index, in.get(index),
                                    e instanceof ExecutionException ? e.getCause() : e);
                        }
                    } catch (InterruptedException e) {
                        futures.forEach(f -> f.cancel(true));
                        Thread.currentThread().interrupt();
                        throw new CancellationException("interrupted while waiting for results; the tasks were cancelled");
                    }
                }
            };
        };
    }

    private <T, R> List<CompletableFuture<R>> submitAll(ProcessFunction<? super T, ? extends R> function, List<T> inputs) {
        Objects.requireNonNull(function, "function");
        List<CompletableFuture<R>> futures = new ArrayList<>(inputs.size());
        try {
            for (T input : inputs) {
                futures.add(enqueue(new Apply<>(function, input), function.getClass(), function, String.valueOf(input), false));
            }
        } catch (RuntimeException e) {
            futures.forEach(f -> f.cancel(false));
            throw e;
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
                    if (slot.state == State.IDLE) {
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
     * @throws InterruptedException  if interrupted while waiting; the pool is terminated first
     */
    public void join() throws InterruptedException {
        if (!shutdown) {
            throw new IllegalStateException(name + " still takes tasks: call shutdown() before join(), as Python"
                    + " requires close() before join()");
        }
        try {
            if (!awaitTermination(closeTimeout)) {
                terminate();
                awaitTermination(Duration.ofSeconds(5));
            }
        } catch (InterruptedException e) {
            terminate();
            throw e;
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
        long deadline = Time.deadline(timeout);
        while (true) {
            boolean done;
            synchronized (lock) {
                done = shutdown && pending.isEmpty();
                for (Slot slot : slots) {
                    done &= slot.state == State.ENDED;
                }
            }
            if (done) {
                for (Slot slot : slots) {
                    Worker w = slot.worker;
                    if (w != null) {
                        w.child.awaitOutput(Time.millis(Time.remaining(deadline)));
                        // Its output has ended and its exit follows at once: once it is seen, a standby
                        // that replaces it is under way before anyone measures the machine (Standby.awaitBooted).
                        w.child.process().waitFor(Math.max(0, Time.remaining(deadline)), TimeUnit.NANOSECONDS);
                    }
                }
                return true;
            }
            if (Time.remaining(deadline) <= 0) {
                return false;
            }
            Thread.sleep(Math.min(10, Time.millis(Time.remaining(deadline))));
        }
    }

    /** Kills every worker now; tasks not finished fail with {@link CancellationException}. Python's {@code terminate()}. */
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
            job.completeExceptionally(new CancellationException(name + " was terminated"));
        }
        for (Slot slot : all) {
            Worker w = slot.worker;
            if (w != null) {
                w.child.process().destroyForcibly();
            }
        }
    }

    /**
     * Shutdown and join: submitted tasks finish, at most {@link #closeTimeout}, then the rest is
     * killed. If the closing thread is interrupted, or was interrupted when it called this, the
     * pool is terminated at once (as Python's {@code with Pool()} does on exit) and the
     * interrupt is kept.
     */
    @Override
    public void close() {
        if (Thread.currentThread().isInterrupted()) {
            terminate();
            return;
        }
        shutdown();
        try {
            join();
        } catch (InterruptedException e) {
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

    /** A task waiting for, or running on, a worker; its own future. */
    private final class Job extends CompletableFuture<Object> {
        final long id;
        final String label;
        final Tasks.Prepared prepared;
        /** The pipe of the worker whose answer the submitting caller reads itself, or null. */
        Pipe readBy;

        Job(long id, String label, Tasks.Prepared prepared) {
            this.id = id;
            this.label = label;
            this.prepared = prepared;
        }

        /**
         * Queued: removed, never runs. Running: {@code mayInterruptIfRunning} kills its worker
         * (replaced like any dead worker); otherwise the task finishes and its result is dropped.
         */
        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            Slot runningOn = null;
            synchronized (lock) {
                if (isDone()) {
                    return false;
                }
                if (!pending.remove(this)) {
                    for (Slot slot : slots) {
                        if (slot.running == this) {
                            runningOn = slot;
                        }
                    }
                }
            }
            boolean cancelled = super.cancel(mayInterruptIfRunning);
            if (cancelled && runningOn != null && mayInterruptIfRunning) {
                runningOn.kill(this);
            }
            return cancelled;
        }
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

    /** Where a worker place stands. Changed only with the pool's lock held. */
    private enum State {
        /** A worker JVM was launched and has not said it is ready. */
        STARTING,
        /** The worker is ready and runs nothing. */
        IDLE,
        /** The worker runs {@link Slot#running}. */
        BUSY,
        /** The worker was told to stop after its last task. */
        STOPPING,
        /** No worker here and none will be started: stopped, terminated, or could not be replaced. */
        ENDED
    }

    /**
     * A place for one worker. The thread that reads the worker's output answers its tasks and
     * hands it the next one, so a round trip costs no extra thread hand-over; a worker that
     * dies is replaced in the same place.
     */
    private final class Slot implements Pipe.Listener {
        volatile Worker worker;
        State state = State.STARTING;
        Job running;
        long started;
        boolean everReady;
        final java.util.concurrent.CountDownLatch firstReady = new java.util.concurrent.CountDownLatch(1);

        void launch() {
            String workerName = "worker-" + workerNumbers.incrementAndGet();
            Worker w = new Worker(workerName, Launcher.start(workerName, "worker", classpath, jvmOptions),
                    new CellCode.Shipment());
            synchronized (lock) {
                worker = w;
                state = State.STARTING;
            }
            w.child.pipe().listen(this);
        }

        void awaitReady(long deadline) {
            try {
                if (!firstReady.await(Time.remaining(deadline), TimeUnit.NANOSECONDS)) {
                    throw new IllegalStateException(worker.describe() + " did not start within " + START_TIMEOUT);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while " + name + " was starting its workers", e);
            }
            synchronized (lock) {
                if (!everReady) {
                    Worker w = worker;
                    throw new IllegalStateException((w == null ? "a worker" : w.describe()) + " "
                            + exitOf(w) + " before it was ready; see its output above");
                }
            }
        }

        void send(Job job, Worker w) {
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
            Worker w;
            synchronized (lock) {
                if (state == State.STOPPING || state == State.ENDED) {
                    return;
                }
                state = State.STOPPING;
                w = worker;
            }
            try {
                w.child.pipe().send(ChildMain.STOP, new byte[0]);
            } catch (IOException ignored) {
                // already gone
            }
            // Someone reads on to the end of its output, which is how its end is seen.
            w.child.pipe().handToThread();
        }

        /** Kills the worker if it still runs {@code job}: what {@code cancel(true)} does. */
        void kill(Job job) {
            Worker w;
            synchronized (lock) {
                if (running != job) {
                    return;
                }
                w = worker;
            }
            w.child.process().destroyForcibly();
        }

        @Override
        public boolean idle() {
            synchronized (lock) {
                return state == State.IDLE && running == null;
            }
        }

        @Override
        public void frame(Wire.Frame frame) {
            if (frame.type() == ChildMain.READY) {
                ready();
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

        private void ready() {
            Job next = null;
            boolean stop = false;
            synchronized (lock) {
                everReady = true;
                if (state == State.STARTING) {
                    next = terminated ? null : pending.poll();
                    if (next != null) {
                        running = next;
                        state = State.BUSY;
                    } else {
                        state = State.IDLE;
                        stop = shutdown;
                    }
                }
            }
            firstReady.countDown();
            if (next != null) {
                send(next, worker);
            } else if (stop) {
                stop();
            }
        }

        private void finish(Job job, Object value, RuntimeException error) {
            record(job);
            Job next = null;
            boolean stop = false;
            synchronized (lock) {
                if (running == job) {
                    running = null;
                    if (state == State.BUSY) {
                        next = terminated ? null : pending.poll();
                        if (next != null) {
                            running = next;
                        } else {
                            state = State.IDLE;
                            stop = shutdown;
                        }
                    }
                }
            }
            if (error != null) {
                job.completeExceptionally(error);
            } else {
                job.complete(value);
            }
            if (next != null) {
                send(next, worker);
            } else if (stop) {
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
            State was;
            boolean replace;
            synchronized (lock) {
                job = running;
                running = null;
                was = state;
                // A worker that dies before it was ever ready is not restarted in a loop.
                replace = !terminated && was != State.STOPPING && was != State.STARTING
                        && !(shutdown && pending.isEmpty() && job == null);
                state = State.ENDED;
            }
            firstReady.countDown();
            String replaced = "";
            if (replace) {
                try {
                    launch();
                    replaced = "; the pool has started a new worker in its place";
                } catch (RuntimeException e) {
                    replaced = "; the pool could not start a new worker (" + e.getMessage() + ")";
                    System.err.println("jcn: " + name + " could not start a new worker: " + e.getMessage());
                }
            }
            if (job != null) {
                record(job);
                if (terminated) {
                    job.completeExceptionally(new CancellationException(name + " was terminated"));
                } else {
                    Process p = w.child.process();
                    job.completeExceptionally(new ChildDiedException(job.label + " failed: " + w.describe()
                            + " died while running it (" + how + ")" + replaced, p.isAlive() ? -1 : p.exitValue()));
                }
            }
            failIfNoWorkerLeft(how);
        }

        // When every place has ended while tasks wait, they can never run: fail them, and the pool.
        private void failIfNoWorkerLeft(String how) {
            List<Job> left;
            IllegalStateException cause;
            synchronized (lock) {
                if (terminated || !slots.stream().allMatch(s -> s.state == State.ENDED)) {
                    return;
                }
                if (shutdown && pending.isEmpty()) {
                    return;
                }
                cause = new IllegalStateException("every worker of " + name + " has ended and none could be"
                        + " started in its place; the last " + how);
                broken = cause;
                left = new ArrayList<>(pending);
                pending.clear();
            }
            for (Job j : left) {
                j.completeExceptionally(new IllegalStateException(j.label + " could not run: " + cause.getMessage(), cause));
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
