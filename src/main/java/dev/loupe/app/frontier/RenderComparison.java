package dev.loupe.app.frontier;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.loupe.Progress;
import dev.loupe.diffusion.Sampler;
import dev.loupe.diffusion.cache.CacheSchedule;
import dev.loupe.eval.Fidelity;
import dev.loupe.eval.Timing;
import dev.loupe.features.ColourMap;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CancellationException;

/**
 * The render panel's work: one prompt and seed rendered uncached and under a schedule from the same noise, timed in
 * the same run (a warm-up round, then {@code repeats} interleaved rounds, medians kept, as {@code loupe render
 * --schedule} does), with the per-pixel absolute difference as a heatmap. Cancelling stops within one denoising step.
 */
public final class RenderComparison {
    /**
     * @param difference    mean absolute RGB difference per pixel, coloured (inferno) from 0 to {@code maxDifference}
     * @param maxDifference the largest per-pixel difference, in [0, 1] (image values are in [0, 1])
     */
    public record Result(String prompt, long seed, Raster cached, Raster uncached, Raster difference, double maxDifference,
            double meanDifference, double cachedMs, double uncachedMs, double psnrDb) {
        public double speedup() {
            return uncachedMs / cachedMs;
        }

        public String timings() {
            return String.format(Locale.ROOT, "with schedule %.0f ms · uncached %.0f ms · speedup %.2fx · PSNR %s · max |diff| %.3f",
                    cachedMs, uncachedMs, speedup(), psnrDb >= Fidelity.MAX_PSNR_DB ? "identical" : String.format(Locale.ROOT, "%.1f dB", psnrDb),
                    maxDifference);
        }
    }

    private RenderComparison() {}

    public static Result render(Sampler sampler, CacheSchedule schedule, String prompt, long seed, int repeats, Progress progress) {
        if (repeats < 1) throw new IllegalArgumentException("repeats must be at least 1, got " + repeats);
        int rounds = 1 + repeats;
        double[] cachedMs = new double[repeats], uncachedMs = new double[repeats];
        Sampler.StepListener stop = (step, steps, nanos) -> {
            if (progress.isCancelled()) throw new CancellationException("render cancelled");
        };
        try (NDManager manager = NDManager.newBaseManager();
                Sampler.Prepared batch = sampler.prepare(manager, List.of(new Sampler.Request(prompt, seed)))) {
            NDArray cached = null, uncached = null;
            for (int round = 0; round < rounds; round++) {
                progress.update((double) round / rounds, round == 0 ? "warming up" : "timing round " + round + " of " + repeats);
                Sampler.Result u = sampler.render(manager, batch, null, stop);
                Sampler.Result c = sampler.render(manager, batch, schedule, stop);
                if (round > 0) {
                    uncachedMs[round - 1] = u.totalMs();
                    cachedMs[round - 1] = c.totalMs();
                }
                if (cached != null) {
                    cached.close();
                    uncached.close();
                }
                cached = c.images();
                uncached = u.images();
            }
            double psnr = Fidelity.meanPsnr(cached, uncached);
            int size = (int) cached.getShape().get(3);
            float[] a = cached.get(0).toFloatArray(); // [3, S, S]
            float[] b = uncached.get(0).toFloatArray();
            progress.update(1, "rendered");
            return compare(prompt, seed, a, b, size, Timing.median(cachedMs), Timing.median(uncachedMs), psnr);
        }
    }

    /** Builds the result from two {@code [3, S, S]} images in [0, 1]. */
    static Result compare(String prompt, long seed, float[] cached, float[] uncached, int size, double cachedMs,
            double uncachedMs, double psnr) {
        int pixels = size * size;
        float[] diff = new float[pixels];
        double max = 0, sum = 0;
        for (int p = 0; p < pixels; p++) {
            double d = 0;
            for (int ch = 0; ch < 3; ch++) d += Math.abs(cached[ch * pixels + p] - uncached[ch * pixels + p]);
            diff[p] = (float) (d / 3);
            max = Math.max(max, diff[p]);
            sum += diff[p];
        }
        return new Result(prompt, seed, rgb(cached, size), rgb(uncached, size), heatmap(diff, size, max), max, sum / pixels,
                cachedMs, uncachedMs, psnr);
    }

    /** A {@code [3, S, S]} image in [0, 1] as opaque ARGB. */
    static Raster rgb(float[] chw, int size) {
        int pixels = size * size;
        int[] argb = new int[pixels];
        for (int p = 0; p < pixels; p++) {
            argb[p] = 0xff000000 | byte255(chw[p]) << 16 | byte255(chw[pixels + p]) << 8 | byte255(chw[2 * pixels + p]);
        }
        return new Raster(size, size, argb);
    }

    /** Differences coloured from 0 (black) to {@code max} (pale yellow); all black when the images are identical. */
    static Raster heatmap(float[] diff, int size, double max) {
        int[] argb = new int[diff.length];
        for (int p = 0; p < diff.length; p++) argb[p] = 0xff000000 | ColourMap.INFERNO.rgb(max > 0 ? diff[p] / max : 0);
        return new Raster(size, size, argb);
    }

    private static int byte255(float x) {
        return Math.round(Math.max(0, Math.min(1, x)) * 255);
    }
}
