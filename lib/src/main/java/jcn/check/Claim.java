package jcn.check;

import java.util.Objects;

/**
 * States a notebook's claim next to the output that backs it, and stops the notebook when
 * the claim no longer holds.
 *
 * <p>A claim that holds prints one line starting with "✔", so the reader sees it confirmed in
 * the cell's output. A claim that fails throws {@link ClaimFailedException} with the claim and
 * the observed values, which fails the cell, the notebook run and so the notebook test: a
 * notebook cannot keep saying something its own measurements contradict.
 */
public final class Claim {

    private Claim() {
    }

    /**
     * Checks that {@code holds} is true.
     *
     * @param claim    the sentence being checked, in the words of the notebook
     * @param holds    whether the output backs the sentence
     * @param observed what was measured, shown in both the confirmation and the failure
     * @throws ClaimFailedException if {@code holds} is false
     */
    public static void that(String claim, boolean holds, Object observed) {
        Objects.requireNonNull(claim, "claim");
        String evidence = observed == null ? "" : " (observed: " + observed + ")";
        if (!holds) {
            throw new ClaimFailedException("The notebook claims \"" + claim + "\" but this run disagrees" + evidence
                    + ". Rerun the cell; if it keeps failing, the text above it needs correcting.");
        }
        System.out.println("✔ " + claim + evidence);
    }

    /** Checks that {@code holds} is true, with no observed value to show. */
    public static void that(String claim, boolean holds) {
        that(claim, holds, null);
    }

    /** Checks that {@code actual} equals {@code expected}; returns {@code actual}. */
    public static <T> T equal(String claim, T expected, T actual) {
        that(claim, Objects.equals(expected, actual), "expected " + expected + ", got " + actual);
        return actual;
    }

    /** Checks that {@code value} is at least {@code min}; returns {@code value}. */
    public static double atLeast(String claim, double min, double value) {
        that(claim, value >= min, format(value) + " ≥ " + format(min));
        return value;
    }

    /** Checks that {@code value} is at most {@code max}; returns {@code value}. */
    public static double atMost(String claim, double max, double value) {
        that(claim, value <= max, format(value) + " ≤ " + format(max));
        return value;
    }

    /**
     * Checks a claim that needs free cores, but only if the machine can show it right now:
     * when {@code cores} (measured in the same cell, just before) gave its spinning threads at
     * least {@code needed} times the speed of one, the claim is checked as {@link #that} does,
     * failing with {@link ClaimFailedException} if the run contradicts it. Otherwise it prints a
     * line that starts with "○ not checked in this run", says what the machine gave and what
     * the claim needs, and returns, so the notebook goes on.
     *
     * @return whether the claim was checked
     */
    public static boolean onCores(Cores cores, double needed, String claim, boolean holds, Object observed) {
        Objects.requireNonNull(cores, "cores");
        if (!cores.canShow(needed)) {
            System.out.println("○ not checked in this run: " + claim + ". " + cores.describe() + "; the claim needs "
                    + cores.threads() + " free cores (spinning threads at " + format(needed) + "x or more)");
            return false;
        }
        that(claim, holds, observed);
        return true;
    }

    private static String format(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.format("%.3g", v);
    }
}
