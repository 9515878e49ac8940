package jcn.process;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * Which notebook variables a task's code can read, found in the constant pools of the cell
 * classes: a variable is a static field of a snippet's wrapper class, and code that reads it
 * names it there. A task needs the variables named by the class holding its lambda, by every
 * cell class that class names (a method defined in another cell, a record), and by the
 * subclasses of those (a call may land in an override).
 *
 * <p>This is what keeps a pooled task cheap in a notebook that holds large collections: only
 * the variables a task can reach are compared and sent, not every variable for every task.
 * Each class is read once; the answer for a class is kept as long as its bytes are.
 */
final class CellRefs {

    /** What one class file names: the classes, the fields by owner, and its supertypes. */
    record Refs(Set<String> classes, Set<String> fields, List<String> supertypes) {
    }

    // Keyed by the bytes' identity: a cell rerun gets new bytes, and the old answer goes with them.
    private static final Map<byte[], Refs> READ = java.util.Collections.synchronizedMap(new WeakHashMap<>());

    private CellRefs() {
    }

    /**
     * The variables, as {@code owner.field} with the owner's binary name, that code starting in
     * {@code roots} can read; {@code null} when that cannot be told (a class that cannot be
     * read), which means: all of them.
     *
     * @param declared the notebook's cell classes, binary name to bytes
     */
    static Set<String> reachableFields(Collection<String> roots, Map<String, byte[]> declared) {
        Map<String, List<String>> subclasses = new HashMap<>();
        try {
            for (Map.Entry<String, byte[]> e : declared.entrySet()) {
                for (String sup : refs(e.getValue()).supertypes()) {
                    if (declared.containsKey(sup)) {
                        subclasses.computeIfAbsent(sup, k -> new java.util.ArrayList<>()).add(e.getKey());
                    }
                }
            }
            Set<String> seen = new HashSet<>();
            Deque<String> todo = new ArrayDeque<>();
            for (String root : roots) {
                if (declared.containsKey(root) && seen.add(root)) {
                    todo.add(root);
                }
            }
            Set<String> fields = new HashSet<>();
            while (!todo.isEmpty()) {
                String name = todo.poll();
                Refs r = refs(declared.get(name));
                fields.addAll(r.fields());
                for (String c : r.classes()) {
                    if (declared.containsKey(c) && seen.add(c)) {
                        todo.add(c);
                    }
                }
                for (String sub : subclasses.getOrDefault(name, List.of())) {
                    if (seen.add(sub)) {
                        todo.add(sub);
                    }
                }
            }
            return fields;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    static Refs refs(byte[] classFile) throws IOException {
        Refs r = READ.get(classFile);
        if (r == null) {
            r = read(classFile);
            READ.put(classFile, r);
        }
        return r;
    }

    // The constant pool as the JVM specification (chapter 4.4) lays it out, then the header.
    private static Refs read(byte[] classFile) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(classFile));
        if (in.readInt() != 0xCAFEBABE) {
            throw new IOException("not a class file");
        }
        in.readUnsignedShort();
        in.readUnsignedShort();
        int count = in.readUnsignedShort();
        String[] utf8 = new String[count];
        int[] classNameIndex = new int[count];
        int[][] fieldRefs = new int[count][];
        int[] nameOfNameAndType = new int[count];
        for (int i = 1; i < count; i++) {
            int tag = in.readUnsignedByte();
            switch (tag) {
                case 1 -> utf8[i] = in.readUTF();
                case 3, 4 -> in.readInt();
                case 5, 6 -> {
                    in.readLong();
                    i++; // a long or double takes two entries
                }
                case 7 -> classNameIndex[i] = in.readUnsignedShort();
                case 8, 16, 19, 20 -> in.readUnsignedShort();
                case 9 -> fieldRefs[i] = new int[] {in.readUnsignedShort(), in.readUnsignedShort()};
                case 10, 11, 17, 18 -> in.readInt();
                case 12 -> {
                    nameOfNameAndType[i] = in.readUnsignedShort();
                    in.readUnsignedShort();
                }
                case 15 -> {
                    in.readUnsignedByte();
                    in.readUnsignedShort();
                }
                default -> throw new IOException("unknown constant pool tag " + tag);
            }
        }
        in.readUnsignedShort(); // access flags
        in.readUnsignedShort(); // this class
        List<String> supertypes = new java.util.ArrayList<>();
        int superIndex = in.readUnsignedShort();
        if (superIndex != 0) {
            supertypes.add(className(utf8, classNameIndex, superIndex));
        }
        int interfaces = in.readUnsignedShort();
        for (int k = 0; k < interfaces; k++) {
            supertypes.add(className(utf8, classNameIndex, in.readUnsignedShort()));
        }
        Set<String> classes = new HashSet<>();
        Set<String> fields = new HashSet<>();
        for (int i = 1; i < count; i++) {
            if (classNameIndex[i] != 0) {
                classes.add(className(utf8, classNameIndex, i));
            }
            if (fieldRefs[i] != null) {
                int nat = fieldRefs[i][1];
                int nameIndex = nat > 0 && nat < count ? nameOfNameAndType[nat] : 0;
                if (nameIndex != 0 && utf8[nameIndex] != null) {
                    fields.add(className(utf8, classNameIndex, fieldRefs[i][0]) + "." + utf8[nameIndex]);
                }
            }
        }
        return new Refs(Set.copyOf(classes), Set.copyOf(fields), List.copyOf(supertypes));
    }

    private static String className(String[] utf8, int[] classNameIndex, int classIndex) throws IOException {
        if (classIndex <= 0 || classIndex >= classNameIndex.length || classNameIndex[classIndex] == 0
                || utf8[classNameIndex[classIndex]] == null) {
            throw new IOException("a class reference that names no class");
        }
        return utf8[classNameIndex[classIndex]].replace('/', '.');
    }
}
