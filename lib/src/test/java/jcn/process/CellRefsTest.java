package jcn.process;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Which variables a task can read, told from class files: these nested classes stand for a
 * notebook's cells (a holder of variables, a method in another cell, an interface and the
 * cell class that implements it, the cell with the task).
 */
class CellRefsTest {

    static final class Holder {
        static int used;
        static int unused;
        static int viaMethod;
        static int viaOverride;
    }

    static final class Other {
        static int read() {
            return Holder.viaMethod;
        }
    }

    interface Shape {
        int area();
    }

    static final class Square implements Shape {
        @Override
        public int area() {
            return Holder.viaOverride;
        }
    }

    static final class Task {
        static int run(Shape s) {
            return Holder.used + Other.read() + s.area();
        }
    }

    static byte[] bytes(Class<?> c) throws IOException {
        String file = c.getName().substring(c.getName().lastIndexOf('.') + 1) + ".class";
        try (InputStream in = c.getResourceAsStream(file)) {
            return in.readAllBytes();
        }
    }

    static Map<String, byte[]> cells(Class<?>... classes) throws IOException {
        Map<String, byte[]> declared = new LinkedHashMap<>();
        for (Class<?> c : classes) {
            declared.put(c.getName(), bytes(c));
        }
        return declared;
    }

    static String field(String name) {
        return Holder.class.getName() + "." + name;
    }

    @Test
    void aTaskReachesTheVariablesItsCodeAndTheCodeItCallsNameAndNoOthers() throws IOException {
        Map<String, byte[]> declared = cells(Holder.class, Other.class, Shape.class, Square.class, Task.class);
        Set<String> fields = CellRefs.reachableFields(List.of(Task.class.getName()), declared);
        assertEquals(Set.of(field("used"), field("viaMethod"), field("viaOverride")), fields);
    }

    @Test
    void aClassWithNoReferencesReachesNothing() throws IOException {
        Map<String, byte[]> declared = cells(Holder.class, Other.class, Task.class);
        assertEquals(Set.of(), CellRefs.reachableFields(List.of(Holder.class.getName()), declared));
        assertEquals(Set.of(field("viaMethod")), CellRefs.reachableFields(List.of(Other.class.getName()), declared));
    }

    @Test
    void bytesThatAreNotAClassMeanEveryVariable() throws IOException {
        Map<String, byte[]> declared = cells(Task.class);
        declared.put("broken", new byte[] {(byte) 0xCA, (byte) 0xFE, (byte) 0xBA, (byte) 0xBE, 0, 0, 0, 65, 0, 3, 99});
        assertNull(CellRefs.reachableFields(List.of(Task.class.getName()), declared));
    }
}
