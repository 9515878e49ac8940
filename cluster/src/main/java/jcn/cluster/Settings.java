package jcn.cluster;

import java.util.List;
import java.util.function.BiConsumer;

/** Settings members and the client share, and the JVM options of a member. */
final class Settings {

    /** Fewer partitions than Hazelcast's 271: a three-member cluster on one machine starts and rebalances faster. */
    static final int PARTITIONS = 23;
    /** Seconds without a heartbeat before a member counts as dead; Hazelcast's default is 60. */
    static final int HEARTBEAT_TIMEOUT_SECONDS = 5;

    private Settings() {
    }

    /** Properties for members and the client: nothing leaves this machine, nothing is searched for. */
    static void common(BiConsumer<String, String> property) {
        property.accept("hazelcast.phone.home.enabled", "false");
        property.accept("hazelcast.logging.type", "jdk");
    }

    /**
     * A member JVM's options: a quick start over peak speed (C1 only), and the packages
     * Hazelcast opens on JDK 9+ (without them it warns of a "modular environment" and runs slower).
     */
    static List<String> memberJvmOptions(String agentJar) {
        return List.of("-javaagent:" + agentJar, "-Djcn.member.log=" + System.getProperty("jcn.member.log", "SEVERE"), "-XX:TieredStopAtLevel=1", "-Xss512k", "-Xmx256m",
                "--add-modules", "java.se",
                "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED",
                "--add-opens", "java.base/java.lang=ALL-UNNAMED",
                "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
                "--add-opens", "java.management/sun.management=ALL-UNNAMED",
                "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED");
    }
}
