package dev.loupe.upsample.uplift;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.loupe.eval.PeakMemory;
import dev.loupe.eval.Timing;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Times the fast inference form at several square input sizes with random weights, as the reference's users run
 * it: pixel-dense output ({@link #pixelDenseSteps}), batch 1. Memory is the process's peak resident size during one
 * run (model, JVM and engine included), time the median of timed runs after a warm-up.
 */
public final class UpliftBenchmark {
    /** One measured size. */
    public record Row(int inputSize, long tokens, long outputSize, int iters, double medianMs, double[] runsMs,
            double medianCpuMs, double peakMb, boolean peakSinceReset, double gmacs) {}

    private final UpliftConfig config;
    private final int warmup;
    private final int runs;

    public UpliftBenchmark(UpliftConfig config, int warmup, int runs) {
        this.config = config;
        this.warmup = warmup;
        this.runs = runs;
    }

    /** Steps that bring patch tokens to (at least) one feature per pixel: 4 for patch 14 (after the 16/14 pre-scale) and 16. */
    public static int pixelDenseSteps(int patch) {
        int effective = patch == 14 ? 16 : patch;
        int k = 0;
        while ((1 << k) < effective) k++;
        return k;
    }

    public List<Row> run(int[] sizes, Consumer<Row> progress) {
        List<Row> rows = new ArrayList<>();
        int patch = config.backbone().patch();
        int iters = pixelDenseSteps(patch);
        try (NDManager weights = NDManager.newBaseManager()) {
            Uplift model = new Uplift(weights, config);
            try (UpliftInference fast = model.inference()) {
                for (int size : sizes) {
                    int tokensSide = size / patch;
                    if (tokensSide < 1) throw new IllegalArgumentException("input size " + size + " is smaller than the patch " + patch);
                    try (NDManager io = NDManager.newBaseManager()) {
                        NDArray image = io.randomUniform(0, 1, new Shape(1, 3, size, size));
                        NDArray features = io.randomNormal(new Shape(1, config.backbone().channel(), tokensSide, tokensSide));
                        Runnable once = () -> fast.run(image, features, iters).close();
                        PeakMemory.Measurement peak = PeakMemory.during(once);
                        Timing.Result t = Timing.median(warmup, runs, once);
                        long out = model.outputSize(tokensSide, iters);
                        Row row = new Row(size, (long) tokensSide * tokensSide, out, iters, t.medianMs(), t.runsMs(),
                                t.medianCpuMs(), peak.peakMb(), peak.sinceReset(), model.macs(size, size, tokensSide, tokensSide, iters) / 1e9);
                        rows.add(row);
                        if (progress != null) progress.accept(row);
                    }
                }
            }
        }
        return rows;
    }
}
