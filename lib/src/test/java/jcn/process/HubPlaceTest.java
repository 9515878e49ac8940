package jcn.process;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Where the hub puts its socket on systems other than this one: a temporary folder too long for
 * a Unix socket path (macOS allows 103 bytes, Linux 107) and file systems without POSIX
 * permissions (Windows). The decisions are functions of the platform's facts, so they are tested
 * here on Linux; the long folder is also run end to end in a real parent and child JVM.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HubPlaceTest {

    /** A folder path of exactly {@code length} bytes under /tmp (not created). */
    static Path pathOfLength(int length) {
        String start = "/tmp/jcn-place-test-";
        return Path.of(start + "d".repeat(length - start.length()));
    }

    @Test
    void aShortTmpdirIsKeptWithoutANotice() {
        Hub.Place place = Hub.placeFor(Path.of("/tmp"), "Linux");
        assertEquals(Path.of("/tmp"), place.parent());
        assertNull(place.notice());
    }

    @Test
    void theLimitIsMacOssOnAMacAndLinuxsElsewhere() {
        // A folder that leaves a 105-byte socket path: too long for macOS's 104-byte sun_path, fine on Linux.
        Path tmp = pathOfLength(105 - Hub.PATH_SUFFIX);
        assertEquals(tmp, Hub.placeFor(tmp, "Linux").parent());
        Hub.Place mac = Hub.placeFor(tmp, "Mac OS X");
        assertEquals(Path.of("/tmp"), mac.parent());
        assertTrue(mac.notice().contains(tmp.toString()) && mac.notice().contains("103 bytes")
                && mac.notice().contains("using /tmp"), mac.notice());
        // At the limits themselves, the folder is kept.
        assertNull(Hub.placeFor(pathOfLength(Hub.MAC_PATH_LIMIT - Hub.PATH_SUFFIX), "Mac OS X").notice());
        assertNull(Hub.placeFor(pathOfLength(Hub.LINUX_PATH_LIMIT - Hub.PATH_SUFFIX), "Linux").notice());
        assertEquals(Path.of("/tmp"), Hub.placeFor(pathOfLength(Hub.LINUX_PATH_LIMIT - Hub.PATH_SUFFIX + 1), "Linux").parent());
    }

    @Test
    void windowsWithALongTempFolderIsToldWhatToSet() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Hub.placeFor(pathOfLength(200), "Windows 11"));
        assertTrue(e.getMessage().contains("-Djava.io.tmpdir"), e.getMessage());
    }

    @Test
    void withoutPosixPermissionsAnAclIsUsedAndWithoutEitherWsl2IsNamed() {
        assertEquals(Hub.Privacy.POSIX, Hub.privacyFor(Set.of("basic", "owner", "posix", "unix", "user")));
        // What NTFS offers through the JDK on Windows.
        assertEquals(Hub.Privacy.ACL, Hub.privacyFor(Set.of("basic", "owner", "dos", "acl", "user")));
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> Hub.privacyFor(Set.of("basic")));
        assertTrue(e.getMessage().contains("WSL2"), e.getMessage());
    }

    @Test
    void thePosixDirectoryIsTheOwnersAlone(@TempDir Path parent) throws Exception {
        Path dir = Hub.privateDirectory(parent, Set.of("basic", "posix"));
        assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
    }

    @Test
    void aVeryLongTmpdirStillCarriesAChildsMessagesAndSaysSoOnce(@TempDir Path scratch) throws Exception {
        // 150 bytes: over both limits, as a nested sandbox or CI workspace TMPDIR can be.
        Path tmp = scratch.resolve("t".repeat(Math.max(1, 150 - scratch.toString().length() - 1)));
        Files.createDirectories(tmp);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process parent = new ProcessBuilder(java, "-Djava.io.tmpdir=" + tmp, "-cp", System.getProperty("java.class.path"),
                LongTmpdirParent.class.getName()).start();
        StringBuilder err = new StringBuilder();
        Thread errReader = Thread.ofVirtual().start(() -> {
            try {
                err.append(new String(parent.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (java.io.IOException ignored) {
                // the process is gone; what was read is checked below
            }
        });
        String out = new String(parent.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(parent.waitFor(45, TimeUnit.SECONDS), "the parent JVM did not finish within 45 s");
        errReader.join(5000);
        assertEquals(0, parent.exitValue(), out + err);
        assertTrue(out.contains("got ") && out.contains("socket /tmp/jcn-"), out + err);
        long notices = err.toString().lines().filter(l -> l.contains("using /tmp for it instead")).count();
        assertEquals(1, notices, "one notice on stderr:\n" + err);
        assertTrue(err.toString().contains(tmp.toString()), "the notice names the long folder:\n" + err);
    }
}
