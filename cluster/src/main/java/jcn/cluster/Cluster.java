package jcn.cluster;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.cluster.Member;
import com.hazelcast.core.DistributedObject;
import com.hazelcast.core.ExecutionCallback;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.IExecutorService;
import com.hazelcast.partition.Partition;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;
import jcn.process.ChildFailedException;
import jcn.process.ChildProcess;
import jcn.process.ProcessTask;
import jcn.process.RemoteCode;

/**
 * A Hazelcast cluster of member JVMs on this machine, and a client of it for the notebook: the
 * notes' pool, queue and lock beyond one JVM ({@code IExecutorService}, {@code IQueue},
 * {@code IMap.lock}).
 *
 * <pre>{@code
 * try (Cluster cluster = Cluster.start(3)) {
 *     long pid = cluster.submit(() -> ProcessHandle.current().pid()).get(30, TimeUnit.SECONDS);
 *     IQueue<Integer> queue = cluster.client().getQueue("jobs");
 * }
 * }</pre>
 *
 * <p>Members are children of the helper jar ({@link ChildProcess#ofMain}): their output lines
 * are marked {@code [member-N]}, and none outlives this JVM, however it ends. They listen on
 * 127.0.0.1 only, find each other by a fixed list of ports (no multicast, no cloud discovery,
 * no phone-home), and form a cluster of their own, under a random name.
 *
 * <p>Tasks may be lambdas written in notebook cells: they travel with the cell classes and the
 * notebook's serialisable variables, as they do to a {@code ProcessPool}'s workers, and a task
 * sees what the notebook's variables held when it was sent. Inside a task,
 * {@link #thisMember()} is the member that runs it.
 *
 * <p>Every call that waits is bounded: starting by the timeout given to {@link #start(int, Duration)},
 * {@link #kill}, {@link #ownerOf} and {@link #close} by a few heartbeats and at most 30 s. The
 * futures of tasks return at once and complete when the task answers, however long it runs:
 * wait on them with {@code get(timeout)}; a member that dies fails them. An interrupted wait
 * throws {@link InterruptedException}: a {@link #start} stops what it started, a {@link #kill}
 * has already killed the member, and {@link #close} still ends everything.
 */
public final class Cluster implements AutoCloseable {

    /** How long {@link #start(int)} and {@link #addMember()} wait for members to join. */
    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(60);
    /** Seconds the client keeps retrying a call that cannot reach a member before it fails the call. */
    public static final int INVOCATION_TIMEOUT_SECONDS = 30;

    // Strong reference: java.util.logging keeps loggers weakly, and a collected one forgets its level.
    private static final Logger HAZELCAST_LOG = Logger.getLogger("com.hazelcast");
    private static final String EXECUTOR = "jcn-tasks";
    private static final java.util.Set<Cluster> OPEN = ConcurrentHashMap.newKeySet();

    private final String name;
    private final Duration startTimeout;
    private final List<MemberJvm> started = new CopyOnWriteArrayList<>();
    private final Map<MemberJvm, RemoteCode.Receiver> receivers = new ConcurrentHashMap<>();
    private final java.util.Set<MemberJvm> killed = ConcurrentHashMap.newKeySet();
    private final AtomicInteger nextMember = new AtomicInteger();
    private volatile HazelcastInstance client;
    private volatile IExecutorService executor;
    private volatile Duration startTime;
    private volatile boolean closed;

    private Cluster(String name, Duration startTimeout) {
        this.name = name;
        this.startTimeout = startTimeout;
    }

    /** Starts {@code members} member JVMs and a client; see {@link #start(int, Duration)}. */
    public static Cluster start(int members) throws InterruptedException {
        return start(members, DEFAULT_START_TIMEOUT);
    }

    /**
     * Starts {@code members} member JVMs on this machine and connects a client to them. Blocks
     * until every member has joined and the client sees them all, at most {@code timeout}.
     *
     * @throws IllegalArgumentException if {@code members} is less than 1
     * @throws IllegalStateException    if a member JVM ended before it joined (its own words are in
     *         the lines marked {@code [member-N]}), or the cluster did not form within {@code timeout};
     *         whatever was started has been stopped
     * @throws InterruptedException     if interrupted while waiting; whatever was started has been stopped
     */
    public static Cluster start(int members, Duration timeout) throws InterruptedException {
        if (members < 1) {
            throw new IllegalArgumentException("a cluster needs at least one member, not " + members);
        }
        Objects.requireNonNull(timeout, "timeout");
        HAZELCAST_LOG.setLevel(Level.SEVERE);
        Cluster cluster = new Cluster("jcn-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()), timeout);
        OPEN.add(cluster);
        long t0 = System.nanoTime();
        try {
            List<Integer> ports = freePorts(members);
            for (int i = 0; i < members; i++) {
                cluster.launch(ports.get(i), "127.0.0.1:" + ports.get(0));
            }
            cluster.awaitListening(ports.get(0), t0);
            cluster.connect(ports, t0);
            cluster.awaitMembers(t0);
        } catch (InterruptedException | RuntimeException e) {
            cluster.close();
            throw e;
        }
        cluster.startTime = Duration.ofNanos(System.nanoTime() - t0);
        return cluster;
    }

    /** From the first member JVM launched until the client saw them all. */
    public Duration startTime() {
        return startTime;
    }

    /** The client the notebook talks to the cluster with: queues, maps, locks. Valid until {@link #close()}. */
    public HazelcastInstance client() {
        open();
        return client;
    }

    /**
     * The members the cluster has now, oldest first, as the client sees them: a member killed a
     * moment ago may still be listed until the others notice (see {@link #kill}).
     */
    public List<MemberJvm> members() {
        open();
        List<MemberJvm> live = new ArrayList<>();
        for (Member m : client.getCluster().getMembers()) {
            MemberJvm jvm = byPort(m.getAddress().getPort());
            if (jvm != null) {
                live.add(jvm);
            }
        }
        return Collections.unmodifiableList(live);
    }

    /**
     * Starts one more member JVM and waits, at most the start timeout, until the client sees it
     * and the partitions that move to it have moved.
     *
     * @throws IllegalStateException as {@link #start(int, Duration)} does
     */
    public MemberJvm addMember() throws InterruptedException {
        open();
        List<MemberJvm> now = members();
        int port = freePorts(1).get(0);
        long t0 = System.nanoTime();
        MemberJvm added = launch(port, "127.0.0.1:" + (now.isEmpty() ? port : now.get(0).port()));
        awaitMembers(t0);
        awaitSafe(t0 + startTimeout.toNanos());
        return added;
    }

    /**
     * Kills {@code member}'s JVM with SIGKILL, as a crash or a pulled plug would end it, and waits
     * until the client no longer lists it and the surviving members own all its partitions and
     * their copies again. Returns how long the cluster took to drop the member. Waits at most
     * {@value Settings#HEARTBEAT_TIMEOUT_SECONDS} s plus 25 s.
     *
     * @throws IllegalStateException if the cluster still lists the member then
     */
    public Duration kill(MemberJvm member) throws InterruptedException {
        long t0 = System.nanoTime();
        crash(member);
        long deadline = t0 + Duration.ofSeconds(Settings.HEARTBEAT_TIMEOUT_SECONDS + 25).toNanos();
        while (members().contains(member)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(member + " was killed but the cluster still lists it after "
                        + Duration.ofNanos(System.nanoTime() - t0).toSeconds() + " s");
            }
            Thread.sleep(10);
        }
        Duration dropped = Duration.ofNanos(System.nanoTime() - t0);
        awaitSafe(deadline);
        return dropped;
    }

    /**
     * Kills {@code member}'s JVM with SIGKILL and returns at once, as a crash happens: calls made
     * right after it may still meet the dead member and fail (Hazelcast's
     * {@code TargetDisconnectedException}); {@link #kill} also waits for the cluster to recover.
     */
    public void crash(MemberJvm member) {
        open();
        Objects.requireNonNull(member, "member");
        killed.add(member);
        member.process().kill();
        receivers.remove(member);
    }

    /**
     * The member that owns the partition of {@code object} (a queue lives whole on the owner of its
     * name's partition). Right after a member joined or left, partitions move: waits, at most 10 s,
     * until the client knows an owner among the members the cluster has now.
     *
     * @throws IllegalStateException if no such owner is known then
     */
    public MemberJvm ownerOf(DistributedObject object) throws InterruptedException {
        open();
        // Members know the partition table first; the client's copy catches up later.
        Object key = object.getPartitionKey();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            int port = askAMember(() -> {
                Member owner = thisMember().getPartitionService().getPartition(key).getOwner();
                return owner == null ? -1 : owner.getAddress().getPort();
            });
            MemberJvm jvm = byPort(port);
            if (jvm != null && !killed.contains(jvm)) {
                return jvm;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the partition of " + object.getName() + " has had no owner among this"
                        + " cluster's members for 10 s");
            }
            Thread.sleep(20);
        }
    }

    // Runs a small task of this class on the oldest member and waits for it, at most 30 s.
    private <T> T askAMember(ProcessTask<T> task) throws InterruptedException {
        List<MemberJvm> now = members();
        if (now.isEmpty()) {
            throw new IllegalStateException("the cluster has no members left");
        }
        try {
            return submitTo(now.get(0), task).get(INVOCATION_TIMEOUT_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("asking " + now.get(0) + " about the cluster failed: " + e, e);
        }
    }

    // After a member joined or left, partitions and their copies move; until that ends, a
    // partition's owner can change under the caller and a backup may be missing.
    private void awaitSafe(long deadline) throws InterruptedException {
        while (!askAMember(() -> thisMember().getPartitionService().isClusterSafe())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the cluster's partitions were still moving after " + startTimeout);
            }
            Thread.sleep(20);
        }
    }

    /**
     * Sends {@code task} to the next member in turn and returns at once; the future completes
     * with the task's value. Like Hazelcast's own {@code submit}, a task is never run twice: if its
     * member dies first, the future fails and nothing runs it elsewhere.
     *
     * @throws IllegalStateException    if the cluster has no members or is closed
     * @throws IllegalArgumentException if the task or what it captures cannot be serialised
     */
    public <T> CompletableFuture<T> submit(ProcessTask<T> task) {
        List<MemberJvm> now = members();
        if (now.isEmpty()) {
            throw new IllegalStateException("the cluster has no members left to run a task");
        }
        return submitTo(now.get(Math.floorMod(nextMember.getAndIncrement(), now.size())), task);
    }

    /**
     * Sends {@code task} to {@code member} and returns at once. The future completes with the
     * task's value; exceptionally with {@link ChildFailedException} if the task threw there (its
     * stack trace is the cause), or with Hazelcast's exception if the member left before it
     * answered ({@code MemberLeftException}, {@code TargetNotMemberException},
     * {@code TargetDisconnectedException}). The future has no timeout of its own: wait on it with
     * {@code get(timeout)}; a client call that cannot reach any member fails after
     * {@value #INVOCATION_TIMEOUT_SECONDS} s.
     *
     * @throws IllegalStateException    if {@code member} is not in the cluster, or the cluster is closed
     * @throws IllegalArgumentException if the task or what it captures cannot be serialised
     */
    public <T> CompletableFuture<T> submitTo(MemberJvm member, ProcessTask<T> task) {
        open();
        Objects.requireNonNull(task, "task");
        Member target = hazelcastMember(member);
        RemoteCode.Receiver receiver = receivers.computeIfAbsent(member, m -> new RemoteCode.Receiver());
        RemoteCode.Packed packed = RemoteCode.pack(task, receiver);
        CompletableFuture<T> result = new CompletableFuture<>();
        executor.submitToMember(new Parcel(packed.bytes()), target, new ExecutionCallback<byte[]>() {
            @Override
            @SuppressWarnings("unchecked")
            public void onResponse(byte[] answer) {
                try {
                    result.complete((T) RemoteCode.unpack(answer, packed.loader(), member.toString()));
                } catch (RuntimeException e) {
                    result.completeExceptionally(e);
                }
            }

            @Override
            public void onFailure(Throwable t) {
                // The parcel may not have arrived: the member's next task carries all the code again.
                receivers.remove(member, receiver);
                result.completeExceptionally(t);
            }
        });
        return result;
    }

    /** Sends {@code task} to every member the cluster has now, as {@link #submitTo} does; one future per member. */
    public <T> Map<MemberJvm, CompletableFuture<T>> submitToAll(ProcessTask<T> task) {
        Map<MemberJvm, CompletableFuture<T>> futures = new LinkedHashMap<>();
        for (MemberJvm m : members()) {
            futures.put(m, submitTo(m, task));
        }
        return futures;
    }

    /**
     * Inside a task run by this class on a member: that member's Hazelcast instance, to reach
     * the cluster's queues and maps from the member itself.
     *
     * @throws IllegalStateException anywhere else (the notebook talks through {@link #client()})
     */
    public static HazelcastInstance thisMember() {
        HazelcastInstance hz = MemberMain.instance();
        if (hz == null) {
            throw new IllegalStateException("no cluster member runs in this JVM: thisMember() is for tasks that"
                    + " Cluster.submit sends to a member; in the notebook, use cluster.client()");
        }
        return hz;
    }

    /**
     * Stops the client, then every member JVM (SIGTERM; SIGKILL after 5 s), and waits for them and
     * for the client's threads to end, at most about 10 s in all. Tasks still running fail. Idempotent.
     */
    @Override
    public void close() {
        closed = true;
        OPEN.remove(this);
        HazelcastInstance c = client;
        String clientName = c == null ? null : c.getName();
        if (c != null) {
            c.shutdown();
        }
        for (MemberJvm m : started) {
            if (m.isAlive()) {
                m.process().terminate();
            }
        }
        boolean interrupted = false;
        for (MemberJvm m : started) {
            try {
                if (!m.process().join(Duration.ofSeconds(5))) {
                    m.process().kill();
                    m.process().join(Duration.ofSeconds(5));
                }
            } catch (InterruptedException e) {
                interrupted = true;   // keep stopping the others; the interrupt is restored below
                m.process().kill();
            }
        }
        awaitClientThreads(clientName);
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Closes every cluster this JVM started and has not closed, as {@link #close()} does, and
     * returns how many there were: a notebook cell that starts a cluster calls it first, so that
     * running the cell again replaces the cluster instead of leaving the old one running.
     */
    public static int closeAll() {
        int n = 0;
        for (Cluster c : List.copyOf(OPEN)) {
            c.close();
            n++;
        }
        return n;
    }

    @Override
    public String toString() {
        return "Cluster[" + name + ", " + (closed ? "closed" : members().size() + " members") + "]";
    }

    private void open() {
        if (closed) {
            throw new IllegalStateException("this cluster is closed; start a new one with Cluster.start(n)");
        }
    }

    private MemberJvm launch(int port, String joinVia) {
        String memberName = "member-" + (started.size() + 1);
        ChildProcess<Void> child = ChildProcess.ofMain(MemberMain.class, name, String.valueOf(port), joinVia).named(memberName)
                .jvmOptions(Settings.memberJvmOptions(MemberJar.agentJar().toString()).toArray(String[]::new));
        MemberJvm jvm = new MemberJvm(memberName, port, child);
        child.start();
        started.add(jvm);
        return jvm;
    }

    private void connect(List<Integer> ports, long t0) {
        ClientConfig config = new ClientConfig();
        config.setClusterName(name);
        config.setInstanceName(name + "-client");
        config.setClassLoader(Cluster.class.getClassLoader());
        Settings.common(config::setProperty);
        config.setProperty("hazelcast.client.invocation.timeout.seconds", String.valueOf(INVOCATION_TIMEOUT_SECONDS));
        config.setProperty("hazelcast.shutdownhook.enabled", "false");
        config.getNetworkConfig().setAddresses(ports.stream().map(p -> "127.0.0.1:" + p).toList());
        long left = Math.max(1000, startTimeout.toMillis() - Duration.ofNanos(System.nanoTime() - t0).toMillis());
        config.getConnectionStrategyConfig().getConnectionRetryConfig().setClusterConnectTimeoutMillis(left)
                .setInitialBackoffMillis(50).setMaxBackoffMillis(500);
        try {
            client = HazelcastClient.newHazelcastClient(config);
        } catch (RuntimeException e) {
            throw new IllegalStateException("the client could not connect to " + name + " within " + startTimeout + ": "
                    + e.getMessage() + deadMembers(), e);
        }
        executor = client.getExecutorService(EXECUTOR);
    }

    // Waits until the first member accepts connections, so that a member JVM that dies at its
    // start is reported at once rather than after the client has tried for the whole timeout.
    private void awaitListening(int port, long t0) throws InterruptedException {
        long deadline = t0 + startTimeout.toNanos();
        while (true) {
            String dead = deadMembers();
            if (!dead.isEmpty()) {
                throw new IllegalStateException("a member JVM ended before it joined" + dead);
            }
            try (java.net.Socket probe = new java.net.Socket()) {
                probe.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                return;
            } catch (IOException notYet) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the first member was not listening on port " + port + " within " + startTimeout);
            }
            Thread.sleep(20);
        }
    }

    // Waits until the client lists every member JVM not killed on purpose.
    private void awaitMembers(long t0) throws InterruptedException {
        long deadline = t0 + startTimeout.toNanos();
        while (true) {
            String dead = deadMembers();
            if (!dead.isEmpty()) {
                throw new IllegalStateException("a member JVM ended before it joined" + dead);
            }
            List<MemberJvm> now = members();
            if (started.stream().filter(m -> !killed.contains(m)).allMatch(now::contains)) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + now + " of " + started + " joined the cluster within " + startTimeout);
            }
            Thread.sleep(20);
        }
    }

    private String deadMembers() {
        StringBuilder dead = new StringBuilder();
        for (MemberJvm m : started) {
            if (!m.isAlive() && !killed.contains(m)) {
                dead.append("; ").append(m.name()).append(" exited with code ").append(m.exitCode().orElse(-1))
                        .append(" (its own words are in the lines marked [").append(m.name()).append("])");
            }
        }
        return dead.toString();
    }

    private MemberJvm byPort(int port) {
        for (MemberJvm m : started) {
            if (m.port() == port) {
                return m;
            }
        }
        return null;
    }

    private Member hazelcastMember(MemberJvm jvm) {
        for (Member m : client.getCluster().getMembers()) {
            if (m.getAddress().getPort() == jvm.port()) {
                return m;
            }
        }
        throw new IllegalStateException(jvm + " is not in the cluster" + (jvm.isAlive() ? "" : ": its JVM has ended"));
    }

    private static List<Integer> freePorts(int n) {
        // Ports the system hands out now; they are free a moment later too unless something races for them.
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            List<Integer> ports = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                sockets.add(s);
                ports.add(s.getLocalPort());
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find free ports on 127.0.0.1: " + e.getMessage(), e);
        } finally {
            for (ServerSocket s : sockets) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // it was only a probe
                }
            }
        }
    }

    // The client's threads are named after its instance; shutdown() returns before all have ended.
    private static void awaitClientThreads(String clientName) {
        if (clientName == null) {
            return;
        }
        String prefix = "hz." + clientName;
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith(prefix)) {
                try {
                    t.join(Math.max(1, Duration.ofNanos(deadline - System.nanoTime()).toMillis()));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
