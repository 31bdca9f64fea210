package dev.loupe.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import dev.loupe.Progress;
import dev.loupe.backbone.Backbone;
import dev.loupe.backbone.PatchTargets;
import dev.loupe.tensor.Resize;
import dev.loupe.upsample.Upsampler;
import dev.loupe.world.BackgroundKind;
import dev.loupe.world.ShapeKind;
import dev.loupe.world.ShapesWorld;
import dev.loupe.world.WorldBatch;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CancellationException;

/**
 * How well upsamplers turn a backbone's coarse features into dense ones, on held-out ShapesWorld scenes:
 * <ul>
 *   <li><b>reconstruction</b> (UPLiFT's own objective, held out): the features of the image at S/2 (S/4)
 *   upsampled 2x (4x), guided by that smaller image, against the backbone's features of the image at S: mean
 *   squared error and mean cosine similarity per token;</li>
 *   <li><b>dense probe mIoU and boundary F</b> (the protocol of JAFAR and UPLiFT): for every upsampler, a
 *   {@link LinearProbe} is fitted on its own pixel-dense features of other scenes ({@link #PROBE_PIXELS} sampled
 *   pixels a scene, the same pixels for every upsampler) against the class mask, then reads its pixel-dense features
 *   of the held-out scenes; mIoU and the {@link BoundaryScore} of its predictions;</li>
 *   <li><b>low-res probe mIoU</b>: one probe fitted on low-resolution tokens (soft class shares) reads every
 *   upsampler's pixel-dense features: do upsampled features stay readable the way the backbone's own are.</li>
 * </ul>
 * Every upsampler sees the same scenes, features and pixels.
 */
public final class UpsamplerEvaluation {
    private UpsamplerEvaluation() {}

    /** Where the probes' scenes start by default (held-out scenes are seeds 0..N-1, training scenes far above). */
    public static final long PROBE_SEED = 10_000;

    /** Pixels sampled from each probe-fitting scene for the dense probes. */
    public static final int PROBE_PIXELS = 2048;

    /**
     * One upsampler's scores. {@code probeMiou} and {@code probePixelAccuracy} are the shared low-res probe's;
     * {@code denseProbe*}, {@code boundaryF}, {@code classIou} (by class id, see {@link ShapeKind#classNames()}) and
     * {@code errorByBoundaryDistance} (by {@link ErrorsByBoundaryDistance#bandNames()}) and {@code miouByBackground} (by
     * {@link #backgroundNames()}: the held-out scenes split by how their background is painted) the upsampler's own
     * dense probe's.
     */
    public record Scores(double mse2x, double cosine2x, double mse4x, double cosine4x, double probeMiou, double probePixelAccuracy,
            double denseProbeMiou, double denseProbePixelAccuracy, double boundaryF, List<Double> classIou,
            List<Double> errorByBoundaryDistance, List<Double> miouByBackground) {
        public Scores {
            classIou = List.copyOf(classIou);
            errorByBoundaryDistance = List.copyOf(errorByBoundaryDistance);
            miouByBackground = List.copyOf(miouByBackground);
        }

        public JsonObject toJson() {
            JsonObject o = new JsonObject();
            o.addProperty("reconstruction_mse_2x", round(mse2x));
            o.addProperty("reconstruction_cosine_2x", round(cosine2x));
            o.addProperty("reconstruction_mse_4x", round(mse4x));
            o.addProperty("reconstruction_cosine_4x", round(cosine4x));
            o.addProperty("dense_probe_miou", round(denseProbeMiou));
            o.addProperty("dense_probe_pixel_accuracy", round(denseProbePixelAccuracy));
            o.addProperty("dense_probe_boundary_f", round(boundaryF));
            o.addProperty("low_res_probe_miou", round(probeMiou));
            o.addProperty("low_res_probe_pixel_accuracy", round(probePixelAccuracy));
            o.add("dense_probe_iou_per_class", named(ShapeKind.classNames(), classIou));
            o.add("dense_probe_error_by_boundary_distance", named(ErrorsByBoundaryDistance.bandNames(), errorByBoundaryDistance));
            o.add("dense_probe_miou_by_background", named(backgroundNames(), miouByBackground));
            return o;
        }

        /** {name: value} for each value that could be computed (a class absent from the scenes, an empty band: left out). */
        private static JsonObject named(List<String> names, List<Double> values) {
            JsonObject o = new JsonObject();
            for (int i = 0; i < values.size(); i++) {
                if (Double.isFinite(values.get(i))) o.addProperty(names.get(i), round(values.get(i)));
            }
            return o;
        }
    }

    /** The background kinds' words, in {@link BackgroundKind} order: the columns of {@link Scores#miouByBackground()}. */
    public static List<String> backgroundNames() {
        return java.util.Arrays.stream(BackgroundKind.values()).map(BackgroundKind::word).toList();
    }

    /** How many of the held-out scenes (seeds {@code 0..heldOut-1}) have each kind of background, in {@link BackgroundKind} order. */
    public static int[] scenesByBackground(int heldOut) {
        int[] counts = new int[BackgroundKind.values().length];
        for (long seed = 0; seed < heldOut; seed++) counts[ShapesWorld.scene(seed).background().kind().ordinal()]++;
        return counts;
    }

    static double round(double v) {
        return Math.round(v * 1e5) / 1e5;
    }

    /**
     * @param size       image side S (the backbone's features at S/4 must be whole tokens)
     * @param heldOut    scenes of seeds {@code 0..heldOut-1} are scored
     * @param probeSeed  the probes are fitted on scenes {@code probeSeed .. probeSeed+probeScenes-1}
     */
    public static Map<String, Scores> evaluate(Backbone backbone, Map<String, Upsampler> upsamplers, int size, int heldOut,
                                               long probeSeed, int probeScenes, Progress progress) {
        int classes = ShapeKind.CLASS_COUNT;
        int patch = backbone.patchSize();
        if (size % (4 * patch) != 0) throw new IllegalArgumentException("size " + size + " must be a multiple of 4 x the patch " + patch);
        int grid = size / patch;
        int tolerance = BoundaryScore.tolerance(size, size);
        try (NDManager manager = NDManager.newBaseManager()) {
            LinearProbe probe = fitProbe(manager, backbone, size, probeSeed, probeScenes, classes, progress);
            Map<String, LinearProbe> denseProbes = new LinkedHashMap<>();
            for (Map.Entry<String, Upsampler> e : upsamplers.entrySet()) {
                progress.update(-1, "fitting a dense probe for " + e.getKey());
                denseProbes.put(e.getKey(), fitDenseProbe(manager, backbone, e.getValue(), size, probeSeed, probeScenes, classes));
            }
            Map<String, double[]> sums = new LinkedHashMap<>(); // mse2, cos2, mse4, cos4
            Map<String, ConfusionMatrix> confusion = new LinkedHashMap<>();
            Map<String, ConfusionMatrix> denseConfusion = new LinkedHashMap<>();
            Map<String, BoundaryScore> boundaries = new LinkedHashMap<>();
            Map<String, ErrorsByBoundaryDistance> errorsByDistance = new LinkedHashMap<>();
            Map<String, ConfusionMatrix[]> byBackground = new LinkedHashMap<>();
            upsamplers.keySet().forEach(k -> {
                sums.put(k, new double[4]);
                confusion.put(k, new ConfusionMatrix(classes));
                denseConfusion.put(k, new ConfusionMatrix(classes));
                boundaries.put(k, new BoundaryScore());
                errorsByDistance.put(k, new ErrorsByBoundaryDistance());
                byBackground.put(k, java.util.stream.Stream.generate(() -> new ConfusionMatrix(classes))
                        .limit(BackgroundKind.values().length).toArray(ConfusionMatrix[]::new));
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
                                NDArray dense = denseFeatures(one, u, full, target, i, size);
                                long[] truth = java.util.Arrays.copyOfRange(masks, i * size * size, (i + 1) * size * size);
                                confusion.get(e.getKey()).addAll(truth, probe.predict(dense));
                                long[] predicted = denseProbes.get(e.getKey()).predict(dense);
                                denseConfusion.get(e.getKey()).addAll(truth, predicted);
                                boundaries.get(e.getKey()).add(truth, predicted, size, size, tolerance);
                                errorsByDistance.get(e.getKey()).add(truth, predicted, size, size);
                                byBackground.get(e.getKey())[b.scenes().get(i).background().kind().ordinal()].addAll(truth, predicted);
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
                ConfusionMatrix d = denseConfusion.get(k);
                List<Double> classIou = java.util.stream.IntStream.range(0, classes).mapToObj(d::iou).toList();
                List<Double> byDistance = java.util.Arrays.stream(errorsByDistance.get(k).errorRates()).boxed().toList();
                List<Double> backgroundMiou = java.util.Arrays.stream(byBackground.get(k))
                        .map(ConfusionMatrix::meanIou).toList();
                out.put(k, new Scores(s[0] / done, s[1] / done, s[2] / done, s[3] / done, c.meanIou(), c.accuracy(), d.meanIou(),
                        d.accuracy(), boundaries.get(k).f(), classIou, byDistance, backgroundMiou));
            }
            return out;
        }
    }

    /** Image {@code i} of the batch upsampled to pixel density, {@code [1,C,S,S]} in {@code one}. */
    private static NDArray denseFeatures(NDManager one, Upsampler u, NDArray images, NDArray features, int i, int size) {
        NDArray image = images.get(i).expandDims(0);
        NDArray low = features.get(i).expandDims(0);
        image.attach(one);
        low.attach(one);
        NDArray dense = u.upsample(image, low, size, size);
        dense.attach(one);
        return dense;
    }

    /**
     * A probe fitted on {@code u}'s pixel-dense features of the probe scenes: {@link #PROBE_PIXELS} pixels a scene
     * (the same positions for every upsampler), one-hot class targets.
     */
    static LinearProbe fitDenseProbe(NDManager manager, Backbone backbone, Upsampler u, int size, long firstSeed, int scenes, int classes) {
        int pixels = Math.min(PROBE_PIXELS, size * size);
        java.util.Random random = new java.util.Random(firstSeed);
        try (NDManager scope = manager.newSubManager()) {
            NDList tokens = new NDList();
            java.util.List<float[]> targets = new java.util.ArrayList<>();
            for (WorldBatch b : WorldBatch.range(scope, firstSeed, firstSeed + scenes, 8, size)) {
                try (b) {
                    NDArray low = backbone.extract(b.images());
                    low.attach(scope);
                    long[] masks = b.classMasks().toLongArray();
                    for (int i = 0; i < b.size(); i++) {
                        long[] at = random.longs(pixels, 0, (long) size * size).toArray();
                        float[] onehot = new float[pixels * classes];
                        for (int k = 0; k < pixels; k++) onehot[k * classes + (int) masks[(int) (i * (long) size * size + at[k])]] = 1;
                        targets.add(onehot);
                        try (NDManager one = scope.newSubManager()) {
                            NDArray dense = denseFeatures(one, u, b.images(), low, i, size);
                            NDArray flat = dense.reshape(dense.getShape().get(1), (long) size * size); // [C, S*S]
                            NDArray picked = flat.get(new NDIndex(":, {}", one.create(at))).transpose(); // [pixels, C]
                            picked.attach(scope);
                            tokens.add(picked);
                        }
                    }
                }
            }
            NDArray x = NDArrays.concat(tokens, 0);
            float[] all = new float[targets.size() * pixels * classes];
            for (int i = 0; i < targets.size(); i++) System.arraycopy(targets.get(i), 0, all, i * pixels * classes, pixels * classes);
            NDArray y = scope.create(all, new Shape((long) targets.size() * pixels, classes));
            LinearProbe probe = new LinearProbe(manager, backbone.channels(), classes);
            probe.fit(x, y, 300, 0.05f);
            return probe;
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
