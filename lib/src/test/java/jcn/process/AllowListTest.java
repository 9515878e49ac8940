package jcn.process;

import org.example.Tagged;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a reader does with the allow-list: a value of their own type is refused in a child until
 * they allow its package in the parent, and then every child started afterwards takes it. A
 * name once allowed is remembered; a refusal is not.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AllowListTest {

    @Test
    void aPatternAddedInTheParentReachesChildrenStartedAfterIt() throws Exception {
        Tagged value = new Tagged("mine");
        ChildFailedException refused = assertThrows(ChildFailedException.class,
                () -> ChildProcess.start(() -> value.tag()).result());
        assertTrue(refused.getMessage().contains("org.example.Tagged"), refused.getMessage());
        AllowList.allow("org.example.*");
        assertEquals("mine", ChildProcess.start(() -> value.tag()).result(), "a fresh child");
        try (ProcessPool pool = ProcessPool.create(1)) {
            assertEquals("mine", pool.apply(() -> value.tag()), "a pool's worker");
        }
    }

    @Test
    void aRefusedNameIsAskedAgainAndAllowedOnceItsPatternIs() {
        String name = "com.example.repeated.Point";
        assertFalse(AllowList.allows(name));
        assertFalse(AllowList.allows(name), "a refusal is not remembered");
        AllowList.allow("com.example.repeated.*");
        assertTrue(AllowList.allows(name));
        assertTrue(AllowList.allows(name));
        assertFalse(AllowList.allows("com.example.repeated.inner.Point"), "a package pattern does not reach subpackages");
    }
}
