package jcn.cluster;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * How this jar gets onto a member JVM's application classpath: members start as children of
 * the helper jar ({@code ChildProcess.ofMain}), whose classpath is the helper jar alone, and
 * the one JVM option that adds a jar to that classpath is {@code -javaagent}. The agent does
 * nothing; being one is the point. Hazelcast and this module must sit in the application
 * class loader there, beside the helper jar, for two reasons: {@code RemoteCode} reaches the
 * helper jar's package-private shipping only from the same loader, and a cell class rebuilt
 * in a fresh cell loader must still see the one Hazelcast and the one {@link MemberMain}
 * the member runs.
 */
public final class MemberJar {

    private MemberJar() {
    }

    /** The agent's entry point: does nothing (see the class description). */
    public static void premain(String args) {
        // nothing to do: the JVM has already appended this jar to the classpath
    }

    /**
     * The jar to give members as {@code -javaagent}: the shaded cluster jar this class came from,
     * or, when this class comes from a directory (the module's own tests), a jar of a manifest
     * alone that names the directory and Hazelcast's jar, written beside the directory.
     */
    static synchronized Path agentJar() {
        Path self = location(MemberJar.class);
        if (Files.isRegularFile(self)) {
            return self;
        }
        Path hazelcast = location(com.hazelcast.core.Hazelcast.class);
        Path jar = self.resolveSibling("jcn-member-agent.jar");
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.put(new Attributes.Name("Premain-Class"), MemberJar.class.getName());
        // Relative URLs, resolved against the agent jar's own place; a directory needs its slash.
        main.put(Attributes.Name.CLASS_PATH, relative(jar.getParent(), self) + "/ " + relative(jar.getParent(), hazelcast));
        // Written beside and moved into place: a member JVM starting now may be reading the old one.
        try {
            Path fresh = Files.createTempFile(jar.getParent(), "jcn-member-agent", ".jar");
            try (OutputStream out = Files.newOutputStream(fresh); JarOutputStream ignored = new JarOutputStream(out, manifest)) {
                // the manifest is the whole jar
            }
            Files.move(fresh, jar, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the member agent jar " + jar + ": " + e.getMessage(), e);
        }
        return jar;
    }

    private static String relative(Path from, Path to) {
        return from.relativize(to).toString().replace('\\', '/');
    }

    private static Path location(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toAbsolutePath().normalize();
        } catch (URISyntaxException | RuntimeException e) {
            throw new IllegalStateException("cannot tell where " + type.getName() + " was loaded from: " + e, e);
        }
    }
}
