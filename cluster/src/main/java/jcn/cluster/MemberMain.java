package jcn.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The program of one member JVM, started by {@link Cluster} as a child of the helper jar.
 * Arguments: cluster name, this member's port, the member to join through
 * ({@code 127.0.0.1:port}: the first member names itself).
 * It runs until the Hazelcast instance stops or the JVM is ended; like every child of the
 * helper jar it halts when the notebook's JVM goes away.
 */
public final class MemberMain {

    // Strong reference: java.util.logging keeps loggers weakly, and a collected one forgets its level.
    private static final Logger HAZELCAST_LOG = Logger.getLogger("com.hazelcast");
    private static volatile HazelcastInstance instance;

    private MemberMain() {
    }

    /** Entry point; see the class description. */
    public static void main(String[] args) throws InterruptedException {
        if (args.length < 3) {
            throw new IllegalArgumentException("usage: MemberMain clusterName port joinAddress");
        }
        HAZELCAST_LOG.setLevel(Level.parse(System.getProperty("jcn.member.log", "SEVERE")));   // members print only what went wrong
        Config config = new Config();
        config.setClusterName(args[0]);
        config.setClassLoader(MemberMain.class.getClassLoader());
        Settings.common(config::setProperty);
        // No member waits for others to show up: the first is the master at once, the others join it.
        config.setProperty("hazelcast.wait.seconds.before.join", "0");
        config.setProperty("hazelcast.max.wait.seconds.before.join", "0");
        config.setProperty("hazelcast.partition.count", String.valueOf(Settings.PARTITIONS));
        config.setProperty("hazelcast.heartbeat.interval.seconds", "1");
        config.setProperty("hazelcast.max.no.heartbeat.seconds", String.valueOf(Settings.HEARTBEAT_TIMEOUT_SECONDS));
        config.setProperty("hazelcast.shutdownhook.enabled", "false");
        // Queues named nobackup-* keep no copy on a second member (notebook 13 loses one on purpose).
        config.getQueueConfig("nobackup-*").setBackupCount(0);
        NetworkConfig network = config.getNetworkConfig();
        network.setPort(Integer.parseInt(args[1])).setPortAutoIncrement(false);
        network.getInterfaces().setEnabled(true).addInterface("127.0.0.1");
        JoinConfig join = network.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        // Every member, the first included, names one member to join through: the first one names
        // itself and is master at once; listing the others too would make each wait to learn
        // which of several unjoined members is the master.
        join.getTcpIpConfig().setEnabled(true).setMembers(List.of(args[2])).setRequiredMember(args[2]);
        HazelcastInstance hz = Hazelcast.newHazelcastInstance(config);
        learn(hz);
        CountDownLatch stopped = new CountDownLatch(1);
        hz.getLifecycleService().addLifecycleListener(e -> {
            if (e.getState() == LifecycleEvent.LifecycleState.SHUTDOWN) {
                stopped.countDown();
            }
        });
        if (hz.getLifecycleService().isRunning()) {
            stopped.await();
        }
    }

    /** Records the Hazelcast member of this JVM (there is one per member JVM). */
    static void learn(HazelcastInstance member) {
        if (member != null && instance == null) {
            instance = member;
        }
    }

    /** The Hazelcast member of this JVM, or {@code null} if none has started here. */
    static HazelcastInstance instance() {
        return instance;
    }
}
