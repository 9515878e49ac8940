package jcn.process;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Collections a notebook variable or task result commonly holds must come back through the
 * allow-list filter: a type that is written but refused when read becomes null in a child.
 */
class CodecRoundTripTest {

    static List<Object> values() {
        Map<String, Integer> chm = new ConcurrentHashMap<>(Map.of("a", 1, "b", 2));
        LinkedHashMap<String, Integer> linked = new LinkedHashMap<>();
        linked.put("z", 26);
        linked.put("a", 1);
        return List.of(chm, new ConcurrentLinkedQueue<>(List.of(1, 2, 3)), new CopyOnWriteArrayList<>(List.of("x", "y")),
                new AtomicInteger(7), new AtomicLong(1L << 40), linked, new TreeMap<>(Map.of(2, "two", 1, "one")),
                new ArrayDeque<>(List.of(3, 1, 2)));
    }

    @ParameterizedTest
    @MethodSource("values")
    void roundTripsThroughTheAllowList(Object value) throws Exception {
        // quiet = false: a refusal would also print which class to allow
        Object back = Codec.decodeValue(Codec.encodeValue(value, "a test value"), null, false);
        assertNotNull(back, value.getClass().getName() + " did not come back");
        assertEquals(value.getClass(), back.getClass());
        assertEquals(describe(value), describe(back));
    }

    // Atomic numbers, queues and deques do not define equals; compare what they hold.
    private static Object describe(Object v) {
        if (v instanceof AtomicInteger a) {
            return a.get();
        }
        if (v instanceof AtomicLong a) {
            return a.get();
        }
        if (v instanceof ConcurrentLinkedQueue<?> q) {
            return new ArrayList<>(q);
        }
        if (v instanceof ArrayDeque<?> d) {
            return new ArrayList<>(d);
        }
        if (v instanceof LinkedHashMap<?, ?> m) {
            return new ArrayList<>(m.entrySet());
        }
        return v;
    }
}
