package jcn.process;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * A task submitted again in a loop is encoded once when its lambda captures nothing; that
 * shortcut must never hand a task another task's captured values.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RepeatedTaskTest {

    private static ProcessTask<Integer> plus(int k) {
        return () -> k + 1;
    }

    private static Object run(Tasks.Prepared prepared) throws Exception {
        byte[] bytes = prepared.bytes();
        ClassLoader loader = RepeatedTaskTest.class.getClassLoader();
        ProcessTask<?> task = LambdaRecipe.isRecipe(bytes) ? LambdaRecipe.decodeTask(bytes, loader)
                : (ProcessTask<?>) Codec.deserialize(bytes, loader, false);
        return task.call();
    }

    @Test
    void aLambdaThatCapturesNothingIsEncodedOnce() throws Exception {
        ProcessTask<Integer> one = () -> 1;
        Tasks.Prepared first = Tasks.Prepared.of(one, one.getClass(), one, "a test task");
        Tasks.Prepared again = Tasks.Prepared.of(one, one.getClass(), one, "a test task");
        assertSame(first.bytes(), again.bytes(), "the second time, the bytes of the first");
        assertEquals(first.roots(), again.roots());
        assertEquals(first.codeClasses(), again.codeClasses());
        assertEquals(1, run(again));
    }

    @Test
    void lambdasOfOneClassThatCaptureKeepTheirOwnValues() throws Exception {
        List<Object> got = new ArrayList<>();
        for (int k = 0; k < 5; k++) {
            ProcessTask<Integer> task = plus(k);
            got.add(run(Tasks.Prepared.of(task, task.getClass(), task, "a test task")));
        }
        assertEquals(List.of(1, 2, 3, 4, 5), got);
    }

    @Test
    void aPoolLoopMixingBothKindsGetsEveryAnswerRight() throws Exception {
        try (ProcessPool pool = ProcessPool.create(1)) {
            for (int k = 0; k < 50; k++) {
                assertEquals(7, pool.apply(() -> 7));
                assertEquals(k + 1, pool.apply(plus(k)));
            }
        }
    }

    @Test
    void tasksThatAreNotLambdasAreEncodedEachTime() throws Exception {
        LambdaRecipeTest.Doubler two = new LambdaRecipeTest.Doubler(2);
        LambdaRecipeTest.Doubler three = new LambdaRecipeTest.Doubler(3);
        Tasks.Prepared a = Tasks.Prepared.of(two, two.getClass(), two, "a test task");
        Tasks.Prepared b = Tasks.Prepared.of(three, three.getClass(), three, "a test task");
        assertNotSame(a.bytes(), b.bytes());
        assertEquals(4, run(a));
        assertEquals(6, run(b));
    }
}
