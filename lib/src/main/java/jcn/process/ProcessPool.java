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
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
    /** How long a new worker may take to start and call back. */
    public static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private static final AtomicInteger POOLS = new AtomicInteger();
    private static final Job STOP = new Job(-1, "stop", null, null);

    private final String name;
    private final int size;
    private final List<String> jvmOptions;
    private final CellCode classpath;
    private final BlockingQueue<Job> jobs = new LinkedBlockingQueue<>();
    private final List<Driver> drivers = new ArrayList<>();
    private final AtomicInteger workerNumbers = new AtomicInteger();
    private final AtomicLong taskNumbers = new AtomicLong();
    private volatile boolean shutdown;
    private volatile boolean terminated;
    private volatile Timeline timeline;
    private volatile Duration closeTimeout = DEFAULT_CLOSE_TIMEOUT;

    private ProcessPool(int size, List<String> jvmOptions) {
        this.name = "pool-" + POOLS.incrementAndGet();
        this.size = size;
        this.jvmOptions = List.copyOf(jvmOptions);
        this.classpath = CellCode.of(ProcessPool.class);
    }

    /** A pool with one worker per core, Python's default. */
    public static ProcessPool create() {
        return create(Runtime.getRuntime().availableProcessors());
    }

    /**
     * A pool of {@code workers} worker JVMs, started now; returns once all have called back.
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
        ProcessPool pool = new ProcessPool(workers, List.of(jvmOptions));
        List<Worker> started = new ArrayList<>();
        try {
            for (int i = 0; i < workers; i++) {
                started.add(pool.launch());
            }
            for (Worker w : started) {
                w.awaitConnection();
            }
        } catch (RuntimeException e) {
            started.forEach(Worker::stop);
            throw e;
        }
        for (Worker w : started) {
            Driver d = pool.new Driver(w);
            pool.drivers.add(d);
        }
        pool.drivers.forEach(d -> d.thread.start());
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
        return size;
    }

    /** The process ids of the current workers, in slot order; a replaced worker shows its successor. */
    public List<Long> workerPids() {
        List<Long> pids = new ArrayList<>();
        for (Driver d : drivers) {
            Worker w = d.worker;
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
        return enqueue(task, task.getClass(), null);
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
    private <T> CompletableFuture<T> enqueue(Object task, Class<?> codeOf, String label) {
        if (shutdown) {
            throw new IllegalStateException(name + " is shut down and takes no more tasks; make a new pool");
        }
        Tasks.Prepared prepared = Tasks.Prepared.of(task, codeOf, "a task");
        long id = taskNumbers.incrementAndGet();
        Job job = new Job(id, label == null ? "task " + id : label, prepared, new CompletableFuture<>());
        jobs.add(job);
        if (shutdown && jobs.remove(job)) {
            throw new IllegalStateException(name + " is shut down and takes no more tasks; make a new pool");
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
        return () -> new Iterator<>() {
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
        };
    }

    private <T, R> List<CompletableFuture<R>> submitAll(ProcessFunction<? super T, ? extends R> function, List<T> inputs) {
        Objects.requireNonNull(function, "function");
        List<CompletableFuture<R>> futures = new ArrayList<>(inputs.size());
        for (T input : inputs) {
            futures.add(enqueue(new Apply<>(function, input), function.getClass(), String.valueOf(input)));
        }
        return futures;
    }

    /** Takes no more tasks; the workers finish what was submitted, then exit. Python's {@code close()}. */
    public void shutdown() {
        if (shutdown) {
            return;
        }
        shutdown = true;
        for (int i = 0; i < drivers.size(); i++) {
            jobs.add(STOP);
        }
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

    /** Waits at most {@code timeout} for every worker to exit; returns whether they did. */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        long deadline = QueueBroker.deadline(timeout);
        for (Driver d : drivers) {
            d.thread.join(QueueBroker.millis(QueueBroker.remaining(deadline)));
            if (d.thread.isAlive()) {
                return false;
            }
        }
        return true;
    }

    /** Kills every worker now; tasks not finished fail with {@link CancellationException}. */
    public void terminate() {
        shutdown = true;
        terminated = true;
        List<Job> left = new ArrayList<>();
        jobs.drainTo(left);
        for (Job job : left) {
            if (job != STOP) {
                job.future.completeExceptionally(new CancellationException(name + " was terminated"));
            }
        }
        for (Driver d : drivers) {
            jobs.add(STOP);
            Worker w = d.worker;
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
        return "ProcessPool[" + name + ", " + size + " workers" + (terminated ? ", terminated" : shutdown ? ", shut down" : "") + "]";
    }

    private static RuntimeException rethrow(Throwable cause) {
        if (cause instanceof RuntimeException r) {
            return r;
        }
        return new IllegalStateException(cause);
    }

    private Worker launch() {
        String workerName = "worker-" + workerNumbers.incrementAndGet();
        CompletableFuture<Wire> wire = new CompletableFuture<>();
        Hub.Registration registration = Hub.register(wire::complete);
        try {
            return new Worker(workerName, registration, wire,
                    Launcher.start(workerName, "worker", registration, classpath, jvmOptions));
        } catch (RuntimeException e) {
            Hub.unregister(registration);
            throw e;
        }
    }

    /** A task waiting for, or running on, a worker. */
    private record Job(long id, String label, Tasks.Prepared prepared, CompletableFuture<Object> future) {
    }

    /** Applies a function to one input: what {@link #map} sends for each input. */
    private record Apply<T, R>(ProcessFunction<? super T, ? extends R> function, T input) implements ProcessTask<R> {
        @Override
        public R call() throws Exception {
            return function.apply(input);
        }
    }

    /** One worker JVM and its connection. */
    private static final class Worker {
        final String name;
        final Hub.Registration registration;
        final CompletableFuture<Wire> connection;
        final Launcher.Child child;
        final CellCode.Shipment shipment = new CellCode.Shipment();
        Wire wire;

        Worker(String name, Hub.Registration registration, CompletableFuture<Wire> connection, Launcher.Child child) {
            this.name = name;
            this.registration = registration;
            this.connection = connection;
            this.child = child;
        }

        String describe() {
            return name + " (pid " + child.process().pid() + ")";
        }

        void awaitConnection() {
            try {
                CompletableFuture.anyOf(connection, child.process().onExit())
                        .get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                if (!connection.isDone()) {
                    int code = child.process().waitFor();
                    stop();
                    throw new IllegalStateException(describe() + " " + Launcher.describeExit(code)
                            + " before it was ready; see its output above");
                }
                wire = connection.join();
            } catch (InterruptedException e) {
                stop();
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while " + name + " was starting; it has been stopped", e);
            } catch (ExecutionException | TimeoutException e) {
                stop();
                throw new IllegalStateException(describe() + " did not start within " + START_TIMEOUT + "; it has been killed", e);
            }
        }

        /** Ends the worker: hangs up (it exits on its own), kills it if it lingers. */
        void stop() {
            if (wire != null) {
                wire.close();
            }
            Process p = child.process();
            try {
                if (!p.waitFor(2, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    p.waitFor(2, TimeUnit.SECONDS);
                }
                child.awaitOutput(1000);
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
            Hub.unregister(registration);
        }
    }

    /** The thread that feeds one worker slot, and replaces its worker when it dies. */
    private final class Driver {
        final Thread thread;
        volatile Worker worker;

        Driver(Worker first) {
            this.worker = first;
            this.thread = new Thread(this::run, name + "-" + first.name);
            this.thread.setDaemon(true);
        }

        private void run() {
            try {
                while (true) {
                    Job job = jobs.take();
                    if (job == STOP) {
                        break;
                    }
                    if (job.future.isDone()) {
                        continue;
                    }
                    runOn(job);
                    if (terminated) {
                        break;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                Worker w = worker;
                if (w != null) {
                    w.stop();
                }
            }
        }

        private void runOn(Job job) {
            if (worker == null) {
                replace();
            }
            Worker w = worker;
            if (w == null) {
                job.future.completeExceptionally(new IllegalStateException(job.label + " could not run: " + name
                        + " has no worker and could not start one (see the error above)"));
                return;
            }
            long start = System.nanoTime();
            try {
                w.wire.send(ChildMain.TASK, Tasks.frame(job.id, job.prepared, w.shipment));
                Wire.Frame reply = w.wire.receive();
                record(w, job, start);
                try {
                    job.future.complete(Tasks.answer(reply, w.describe(), job.prepared.code().loader()));
                } catch (RuntimeException e) {
                    job.future.completeExceptionally(e);
                }
            } catch (IOException e) {
                record(w, job, start);
                died(w, job);
            } catch (RuntimeException e) {
                job.future.completeExceptionally(e);
            }
        }

        private void record(Worker w, Job job, long start) {
            Timeline t = timeline;
            if (t != null) {
                t.add(w.name, job.label, start, System.nanoTime());
            }
        }

        private void died(Worker w, Job job) {
            Process p = w.child.process();
            int code;
            try {
                if (!p.waitFor(2, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    p.waitFor(2, TimeUnit.SECONDS);
                }
                code = p.isAlive() ? -1 : p.exitValue();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                code = -1;
            }
            String how = terminated ? "the pool was terminated" : Launcher.describeExit(code);
            if (terminated) {
                job.future.completeExceptionally(new CancellationException(name + " was terminated"));
            } else {
                job.future.completeExceptionally(new ChildDiedException(job.label + " failed: " + w.describe()
                        + " died while running it (" + how + "); the pool has started a new worker", code));
            }
            w.stop();
            worker = null;
            if (!terminated) {
                replace();
            }
        }

        private void replace() {
            try {
                Worker fresh = launch();
                fresh.awaitConnection();
                worker = fresh;
            } catch (RuntimeException e) {
                System.err.println("jcn: " + name + " could not start a new worker: " + e.getMessage());
            }
        }
    }
}
