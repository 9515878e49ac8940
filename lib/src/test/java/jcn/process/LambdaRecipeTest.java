package jcn.process;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.InvalidClassException;
import java.io.Serializable;
import java.lang.invoke.SerializedLambda;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LambdaRecipeTest {

    record Pair(String name, long n) implements Serializable {
    }

    /** A task that is a class, not a lambda: it must still travel, through an object stream. */
    record Doubler(int n) implements ProcessTask<Integer> {
        @Override
        public Integer call() {
            return 2 * n;
        }
    }

    private static Object roundTrip(ProcessTask<?> task) throws Exception {
        SerializedLambda recipe = LambdaRecipe.of(task instanceof ProcessPool.Apply<?, ?> a ? a.function() : task);
        assertNotNull(recipe, "a serialisable lambda has a recipe");
        byte[] bytes = LambdaRecipe.encodeTask(task, recipe, "a test task");
        assertTrue(LambdaRecipe.isRecipe(bytes));
        return LambdaRecipe.decodeTask(bytes, LambdaRecipeTest.class.getClassLoader()).call();
    }

    @Test
    void capturedValuesOfEveryKindComeThrough() throws Exception {
        int i = 7;
        long l = 1L << 40;
        double d = 0.5;
        String s = "héllo";
        byte[] b = {1, 2, 3};
        Pair p = new Pair("p", 9);
        String none = null;
        List<Integer> list = new ArrayList<>(List.of(1, 2));
        ProcessTask<String> task = () -> i + "|" + l + "|" + d + "|" + s + "|" + b.length + "|" + p + "|" + none + "|" + list;
        assertEquals(task.call(), roundTrip(task));
    }

    @Test
    void aMapStepCarriesItsFunctionAndInput() throws Exception {
        int offset = 100;
        ProcessFunction<Pair, Long> f = pair -> pair.n() + offset;
        assertEquals(109L, roundTrip(new ProcessPool.Apply<>(f, new Pair("x", 9))));
    }

    @Test
    void onlyLambdasHaveARecipe() {
        assertNull(LambdaRecipe.of(new Doubler(3)));
        assertNull(LambdaRecipe.of("a string"));
        assertNull(LambdaRecipe.of(null));
        Runnable notSerializable = () -> { };
        assertNull(LambdaRecipe.of(notSerializable));
    }

    @Test
    void aNonSerializableCaptureIsNamed() {
        Object lock = new Object();
        ProcessTask<Integer> task = () -> lock.hashCode();
        SerializedLambda recipe = LambdaRecipe.of(task);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LambdaRecipe.encodeTask(task, recipe, "the task of t"));
        assertTrue(e.getMessage().contains("the task of t") && e.getMessage().contains("java.lang.Object, which is not Serializable"),
                e.getMessage());
    }

    @Test
    void aCapturingClassOffTheAllowListIsRefused() throws Exception {
        ProcessTask<Integer> task = () -> 1;
        SerializedLambda recipe = LambdaRecipe.of(task);
        byte[] bytes = LambdaRecipe.encodeTask(task, recipe, "a task");
        // The same recipe, claiming a class outside the allow-list captured it.
        String real = recipe.getCapturingClass();
        String fake = "org/example/Evil";
        byte[] forged = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1)
                .replace(real, fake + "x".repeat(real.length() - fake.length()))
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        InvalidClassException e = assertThrows(InvalidClassException.class,
                () -> LambdaRecipe.decodeTask(forged, LambdaRecipeTest.class.getClassLoader()));
        assertTrue(e.getMessage().contains("allow-list"), e.getMessage());
    }

    @Test
    void tasksOfBothFormsRunInAChild() throws Exception {
        int n = 21;
        assertEquals(42, ChildProcess.start(() -> 2 * n).result());
        assertEquals(42, ChildProcess.start(new Doubler(21)).result());
        assertNull(ChildProcess.start(() -> null).result());
    }
}
