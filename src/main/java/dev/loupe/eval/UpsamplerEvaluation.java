package dev.loupe.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import dev.loupe.Progress;
import dev.loupe.backbone.Backbone;
import dev.loupe.backbone.PatchTargets;
import dev.loupe.tensor.Resize;
import dev.loupe.upsample.Upsampler;
import dev.loupe.world.ShapeKind;
import dev.loupe.world.WorldBatch;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CancellationException;

/**
 * How well upsamplers turn a backbone's coarse features into dense ones, on held-out ShapesWorld scenes:
 * <ul>
 *   <li><b>reconstruction</b> (UPLiFT's own objective, held out): the features of the image at S/2 (S/4)
 *   upsampled 2x (4x), guided by that smaller image, against the backbone's features of the image at S: mean
 *   squared error and mean cosine similarity per token;</li>
 *   <li><b>probe mIoU</b>: one {@link LinearProbe} fitted on low-resolution tokens of other scenes (soft class
 *   shares) reads every upsampler's pixel-dense features at S, against the pixel class masks.</li>
 * </ul>
 * Every upsampler sees the same scenes, features and probe.
 */
public final class UpsamplerEvaluation {
    private UpsamplerEvaluation() {}

    /** One upsampler's scores. */
    public record Scores(double mse2x, double cosine2x, double mse4x, double cosine4x, double probeMiou, double probePixelAccuracy) {
        public JsonObject toJson() {
            JsonObject o = new JsonObject();
            o.addProperty("reconstruction_mse_2x", round(mse2x));
            o.addProperty("reconstruction_cosine_2x", round(cosine2x));
            o.addProperty("reconstruction_mse_4x", round(mse4x));
            o.addProperty("reconstruction_cosine_4x", round(cosine4x));
            o.addProperty("probe_miou", round(probeMiou));
            o.addProperty("probe_pixel_accuracy", round(probePixelAccuracy));
            return o;
        }
    }

    static double round(double v) {
        return Math.round(v * 1e5) / 1e5;
    }

    /**
     * @param size       image side S (the backbone's features at S/4 must be whole tokens)
     * @param heldOut    scenes of seeds {@code 0..heldOut-1} are scored
     * @param probeSeed  the probe is fitted on scenes {@code probeSeed .. probeSeed+probeScenes-1}
     */
    public static Map<String, Scores> evaluate(Backbone backbone, Map<String, Upsampler> upsamplers, int size, int heldOut,
                                               long probeSeed, int probeScenes, Progress progress) {
        int classes = ShapeKind.CLASS_COUNT;
        int patch = backbone.patchSize();
        if (size % (4 * patch) != 0) throw new IllegalArgumentException("size " + size + " must be a multiple of 4 x the patch " + patch);
        int grid = size / patch;
        try (NDManager manager = NDManager.newBaseManager()) {
            LinearProbe probe = fitProbe(manager, backbone, size, probeSeed, probeScenes, classes, progress);
            Map<String, double[]> sums = new LinkedHashMap<>(); // mse2, cos2, mse4, cos4
            Map<String, ConfusionMatrix> confusion = new LinkedHashMap<>();
            upsamplers.keySet().forEach(k -> {
                sums.put(k, new double[4]);
                confusion.put(k, new ConfusionMatrix(classes));
            });
            int batch = 4;
            int done = 0;
            for (WorldBatch b : WorldBatch.range(manager, 0, heldOut, batch, size)) {
                try (b; NDManager scope = manager.newSubManager()) {
                    if (progress.isCancelled()) throw new CancellationException("evaluation cancelled");
                    NDArray full = b.images();
                    NDArray half = Resize.antialiased(full, size / 2, size / 2, Resize.Filter.BILINEAR);
                    NDArray quarter = Resize.antialiased(full, size / 4, size / 4, Resize.Filter.BILINEAR);
                    half.attach(scope);
                    quarter.attach(scope);
                    NDArray target = backbone.extract(full); // [B, C, S/p, S/p]
                    NDArray fromHalf = backbone.extract(half);
                    NDArray fromQuarter = backbone.extract(quarter);
                    target.attach(scope);
                    fromHalf.attach(scope);
                    fromQuarter.attach(scope);
                    long[] masks = b.classMasks().toLongArray();
                    for (Map.Entry<String, Upsampler> e : upsamplers.entrySet()) {
                        Upsampler u = e.getValue();
                        double[] s = sums.get(e.getKey());
                        try (NDArray up2 = u.upsample(half, fromHalf, grid, grid); NDArray up4 = u.upsample(quarter, fromQuarter, grid, grid)) {
                            s[0] += mse(up2, target) * b.size();
                            s[1] += cosine(up2, target) * b.size();
                            s[2] += mse(up4, target) * b.size();
                            s[3] += cosine(up4, target) * b.size();
                        }
                        for (int i = 0; i < b.size(); i++) { // one image at a time: dense maps are large
                            try (NDManager one = scope.newSubManager()) {
                                NDArray image = full.get(i).expandDims(0);
                                NDArray low = target.get(i).expandDims(0);
                                image.attach(one);
                                low.attach(one);
                                NDArray dense = u.upsample(image, low, size, size);
                                dense.attach(one);
                                long[] predicted = probe.predict(dense);
                                long[] truth = java.util.Arrays.copyOfRange(masks, i * size * size, (i + 1) * size * size);
                                confusion.get(e.getKey()).addAll(truth, predicted);
                            }
                        }
                    }
                    done += b.size();
                    progress.update((double) done / heldOut, String.format(Locale.ROOT, "scored %d/%d held-out scenes", done, heldOut));
                }
            }
            Map<String, Scores> out = new LinkedHashMap<>();
            for (String k : upsamplers.keySet()) {
                double[] s = sums.get(k);
                ConfusionMatrix c = confusion.get(k);
                out.put(k, new Scores(s[0] / done, s[1] / done, s[2] / done, s[3] / done, c.meanIou(), c.accuracy()));
            }
            return out;
        }
    }

    /** A probe fitted on the low-resolution tokens of {@code scenes} scenes at {@code size} (soft class-share targets). */
    static LinearProbe fitProbe(NDManager manager, Backbone backbone, int size, long firstSeed, int scenes, int classes, Progress progress) {
        progress.update(-1, "fitting a linear probe on " + scenes + " scenes");
        int patch = backbone.patchSize();
        int tokens = (size / patch) * (size / patch);
        try (NDManager scope = manager.newSubManager()) {
            NDArray features = null;
            NDArray targets = null;
            for (WorldBatch b : WorldBatch.range(scope, firstSeed, firstSeed + scenes, 8, size)) {
                try (b) {
                    NDArray f = backbone.extract(b.images()); // [B, C, h, w]
                    NDArray t = f.transpose(0, 2, 3, 1).reshape(-1, f.getShape().get(1)); // [B*h*w, C]
                    t.attach(scope);
                    float[] shares = PatchTargets.classShares(b.classMasks().toLongArray(), b.size(), size, patch, classes);
                    NDArray y = scope.create(shares, new Shape((long) b.size() * tokens, classes));
                    features = features == null ? t : features.concat(t, 0);
                    targets = targets == null ? y : targets.concat(y, 0);
                }
            }
            LinearProbe probe = new LinearProbe(manager, backbone.channels(), classes);
            probe.fit(features, targets, 300, 0.05f);
            return probe;
        }
    }

    static double mse(NDArray a, NDArray b) {
        return a.sub(b).square().mean().getFloat();
    }

    /** Mean over batch and positions of the cosine similarity along channels. */
    static double cosine(NDArray a, NDArray b) {
        NDArray dot = a.mul(b).sum(new int[] {1});
        NDArray norms = a.norm(new int[] {1}).mul(b.norm(new int[] {1})).maximum(1e-12f);
        return dot.div(norms).mean().getFloat();
    }
}
