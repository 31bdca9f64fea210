package dev.loupe.eval;

import java.util.Arrays;

/**
 * Timing: warm-up runs are discarded, then the median of repeated runs is reported, in wall-clock time and in the
 * process's CPU time (all threads, native ones included), which is the steadier figure on a shared machine.
 */
public final class Timing {
    private Timing() {}

    /** Per-run wall-clock times in milliseconds (in run order), their median, and the median process CPU time (NaN if unknown). */
    public record Result(double medianMs, double[] runsMs, double medianCpuMs) {
        public double minMs() { return Arrays.stream(runsMs).min().orElse(Double.NaN); }

        public double maxMs() { return Arrays.stream(runsMs).max().orElse(Double.NaN); }
    }

    public static Result median(int warmup, int runs, Runnable work) {
        if (runs < 1) throw new IllegalArgumentException("runs must be at least 1, got " + runs);
        for (int i = 0; i < warmup; i++) work.run();
        double[] ms = new double[runs];
        double[] cpu = new double[runs];
        for (int i = 0; i < runs; i++) {
            long c = processCpuNanos();
            long t = System.nanoTime();
            work.run();
            ms[i] = (System.nanoTime() - t) / 1e6;
            cpu[i] = c < 0 ? Double.NaN : (processCpuNanos() - c) / 1e6;
        }
        return new Result(median(ms), ms, median(cpu));
    }

    /** CPU time used so far by the whole process in nanoseconds, or -1 where the JVM does not report it. */
    public static long processCpuNanos() {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    public static double median(double[] values) {
        if (values.length == 0) return Double.NaN;
        double[] s = values.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }
}
