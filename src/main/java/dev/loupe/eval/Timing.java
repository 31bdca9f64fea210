package dev.loupe.eval;

import java.util.Arrays;

/** Wall-clock timing: warm-up runs are discarded, then the median of repeated runs is reported. */
public final class Timing {
    private Timing() {}

    /** Per-run times in milliseconds (in run order) and their median. */
    public record Result(double medianMs, double[] runsMs) {
        public double minMs() { return Arrays.stream(runsMs).min().orElse(Double.NaN); }

        public double maxMs() { return Arrays.stream(runsMs).max().orElse(Double.NaN); }
    }

    public static Result median(int warmup, int runs, Runnable work) {
        if (runs < 1) throw new IllegalArgumentException("runs must be at least 1, got " + runs);
        for (int i = 0; i < warmup; i++) work.run();
        double[] ms = new double[runs];
        for (int i = 0; i < runs; i++) {
            long t = System.nanoTime();
            work.run();
            ms[i] = (System.nanoTime() - t) / 1e6;
        }
        return new Result(median(ms), ms);
    }

    public static double median(double[] values) {
        if (values.length == 0) return Double.NaN;
        double[] s = values.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }
}
