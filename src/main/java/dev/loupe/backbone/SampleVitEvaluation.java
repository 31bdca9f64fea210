package dev.loupe.backbone;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import dev.loupe.eval.ConfusionMatrix;
import dev.loupe.tensor.Resize;
import dev.loupe.world.WorldBatch;

/**
 * How well the sample ViT's features separate the ShapesWorld classes, on held-out scenes:
 * <ul>
 *   <li>patch accuracy: the head's class against each patch's majority class; object patch kind accuracy: the same
 *   on patches whose majority is an object (is the shape kind right);</li>
 *   <li>low-resolution mIoU: the head's logits, bilinearly resized to pixels, against the pixel class mask (the
 *   linear readout of the coarse features, before any learned upsampling).</li>
 * </ul>
 */
public final class SampleVitEvaluation {
    private SampleVitEvaluation() {}

    public record Metrics(int scenes, int size, double patchAccuracy, double objectPatchAccuracy, double lowResMiou, double pixelAccuracy) {
        public JsonObject toJson() {
            JsonObject o = new JsonObject();
            o.addProperty("held_out_scenes", scenes);
            o.addProperty("image_size", size);
            o.addProperty("patch_accuracy", round(patchAccuracy));
            o.addProperty("object_patch_kind_accuracy", round(objectPatchAccuracy));
            o.addProperty("low_res_probe_miou", round(lowResMiou));
            o.addProperty("low_res_probe_pixel_accuracy", round(pixelAccuracy));
            return o;
        }
    }

    static double round(double v) {
        return Math.round(v * 1e4) / 1e4;
    }

    /** Scores the scenes of seeds {@code firstSeed .. firstSeed+count-1} at {@code size} px, {@code batch} at a time. */
    public static Metrics evaluate(SampleVit model, long firstSeed, int count, int size, int batch) {
        int patch = model.config().patch();
        int classes = model.config().classes();
        ConfusionMatrix patches = new ConfusionMatrix(classes);
        ConfusionMatrix pixels = new ConfusionMatrix(classes);
        try (NDManager scope = model.manager().newSubManager()) {
            for (WorldBatch b : WorldBatch.range(scope, firstSeed, firstSeed + count, batch, size)) {
                try (b) {
                    long h = size / patch;
                    NDArray tokens = model.tokens(SampleVit.NORMALISATION.apply(b.images()));
                    NDArray logits = model.classify(tokens); // [B, N, K]
                    long[] masks = b.classMasks().toLongArray();
                    float[] shares = PatchTargets.classShares(masks, b.size(), size, patch, classes);
                    patches.addAll(PatchTargets.majority(shares, classes), logits.argMax(-1).toLongArray());
                    NDArray map = logits.transpose(0, 2, 1).reshape(b.size(), classes, h, h); // [B, K, h, w]
                    NDArray dense = Resize.bilinear(map, size, size, false); // [B, K, S, S]
                    pixels.addAll(masks, dense.argMax(1).toLongArray());
                }
            }
        }
        long objects = 0;
        long right = 0;
        for (int c = 1; c < classes; c++) {
            right += patches.count(c, c);
            for (int p = 0; p < classes; p++) objects += patches.count(c, p);
        }
        return new Metrics(count, size, patches.accuracy(), objects == 0 ? Double.NaN : (double) right / objects, pixels.meanIou(),
                pixels.accuracy());
    }
}
