package dev.loupe.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.loupe.diffusion.Sampler;
import dev.loupe.diffusion.cache.CacheSchedule;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

/**
 * Wall-clock cost of caching schedules on one prepared batch, measured in the same run: after {@code warmup}
 * rounds, {@code repeats} rounds each render the batch uncached and then under every schedule (interleaved, so
 * that a change in machine load hits all of them alike), and the median time of each is kept. Each schedule's
 * images are compared with the uncached ones (PSNR), and its speedup is the uncached median over its own.
 */
public final class RenderTiming {
    private RenderTiming() {}

    /**
     * One schedule's figures. {@code images} ({@code [N, 3, S, S]}, in the caller's manager) are those of the last
     * round; {@code psnrDb} is the mean over the batch against the uncached render (capped at
     * {@link Fidelity#MAX_PSNR_DB} for identical images).
     */
    public record Measurement(String name, double medianMs, double[] runsMs, double[] medianStepMs, double psnrDb,
            NDArray images) {}

    /** The uncached reference and each schedule, in the order given. */
    public record Report(Measurement uncached, List<Measurement> cached) {
        public double speedup(int i) {
            return uncached.medianMs() / cached.get(i).medianMs();
        }
    }

    public static Report measure(NDManager manager, Sampler sampler, Sampler.Prepared batch, List<CacheSchedule> schedules,
            int warmup, int repeats) {
        return measure(manager, sampler, batch, schedules, warmup, repeats, () -> false);
    }

    /**
     * As {@link #measure(NDManager, Sampler, Sampler.Prepared, List, int, int)}, asking {@code cancelled} before each
     * render: a measurement takes (warm-up + repeats) x (schedules + 1) renders, too long to wait for once stopped.
     *
     * @throws CancellationException when {@code cancelled} says so (the images rendered so far are closed)
     */
    public static Report measure(NDManager manager, Sampler sampler, Sampler.Prepared batch, List<CacheSchedule> schedules,
            int warmup, int repeats, BooleanSupplier cancelled) {
        if (repeats < 1) throw new IllegalArgumentException("repeats must be at least 1, got " + repeats);
        int variants = schedules.size() + 1;
        double[][] ms = new double[variants][repeats];
        double[][][] stepMs = new double[variants][repeats][];
        NDArray[] images = new NDArray[variants];
        for (int round = 0; round < warmup + repeats; round++) {
            for (int v = 0; v < variants; v++) {
                if (cancelled.getAsBoolean()) {
                    for (NDArray image : images) if (image != null) image.close();
                    throw new CancellationException("timing cancelled");
                }
                CacheSchedule schedule = v == 0 ? null : schedules.get(v - 1);
                Sampler.Result r = sampler.render(manager, batch, schedule, null);
                if (images[v] != null) images[v].close();
                images[v] = r.images();
                if (round >= warmup) {
                    ms[v][round - warmup] = r.totalMs();
                    stepMs[v][round - warmup] = r.stepMs();
                }
            }
        }
        List<Measurement> cached = new ArrayList<>();
        Measurement uncached = null;
        for (int v = 0; v < variants; v++) {
            String name = v == 0 ? "uncached" : schedules.get(v - 1).name();
            double psnr = v == 0 ? Fidelity.MAX_PSNR_DB : Fidelity.meanPsnr(images[v], images[0]);
            Measurement m = new Measurement(name, Timing.median(ms[v]), ms[v], medianPerStep(stepMs[v]), psnr, images[v]);
            if (v == 0) uncached = m;
            else cached.add(m);
        }
        return new Report(uncached, cached);
    }

    private static double[] medianPerStep(double[][] runs) {
        double[] out = new double[runs[0].length];
        for (int s = 0; s < out.length; s++) {
            double[] values = new double[runs.length];
            for (int r = 0; r < runs.length; r++) values[r] = runs[r][s];
            out[s] = Timing.median(values);
        }
        return out;
    }
}
