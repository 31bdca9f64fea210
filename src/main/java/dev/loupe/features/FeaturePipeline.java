package dev.loupe.features;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.loupe.LoupeException;
import dev.loupe.Progress;
import dev.loupe.backbone.Backbone;
import dev.loupe.backbone.BackboneInput;
import dev.loupe.tensor.Images;
import dev.loupe.tensor.Tensors;
import dev.loupe.upsample.Upsampler;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CancellationException;

/**
 * Image to dense features, the path the Features workspace and {@code loupe features} share: decode (an image
 * above the pixel limit is shrunk while decoding, and the result says so), resize for the backbone (longer side
 * {@code size}, both sides whole patches; a fixed-size export gets exactly its size), extract, upsample to the
 * backbone input's size, fit the PCA on the low-resolution tokens. Each stage is timed; cancellation is checked
 * between stages ({@link CancellationException}). Meant to run on a background thread; the backbone and upsampler
 * must not be used by another thread meanwhile.
 */
public final class FeaturePipeline {
    /** Largest accepted input side for the backbone: dense features grow with its square. */
    public static final int MAX_SIZE = 2048;
    /** Pixel limit for decoding (larger images are shrunk to it while decoding). */
    public static final long DEFAULT_MAX_PIXELS = 16L << 20;

    /**
     * @param size      longer side of the backbone input in pixels, or 0 for the backbone's preferred size
     * @param maxPixels decoding limit; larger images are shrunk to it, with a note
     */
    public record Options(int size, long maxPixels) {
        public Options {
            if (size < 0 || size > MAX_SIZE) throw new LoupeException("the input size must be between 1 and " + MAX_SIZE + " px, got " + size);
            if (maxPixels < 1) throw new LoupeException("the pixel limit must be positive, got " + maxPixels);
        }

        public static Options defaults() {
            return new Options(0, DEFAULT_MAX_PIXELS);
        }
    }

    private FeaturePipeline() {}

    /** Runs the pipeline on an image file. */
    public static DenseFeatures run(Path imageFile, Backbone backbone, Upsampler upsampler, Options options, Progress progress) {
        NDManager manager = NDManager.newBaseManager();
        try {
            List<DenseFeatures.Stage> stages = new ArrayList<>();
            progress.update(0, "reading " + imageFile.getFileName());
            long t = System.nanoTime();
            Images.Decoded decoded = Images.read(imageFile, manager, options.maxPixels(), Images.TooLarge.RESIZE_TO_LIMIT);
            stages.add(new DenseFeatures.Stage("decode", ms(t)));
            return finish(manager, decoded.image(), decoded.resized() ? decoded.note() : "", stages, backbone, upsampler, options, progress);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** Runs the pipeline on an RGB image {@code [1,3,H,W]} in [0,1] (copied; the caller keeps it). */
    public static DenseFeatures run(NDArray image, Backbone backbone, Upsampler upsampler, Options options, Progress progress) {
        if (image.getShape().dimension() != 4 || image.getShape().get(0) != 1 || image.getShape().get(1) != 3) {
            throw new LoupeException("expected one RGB image [1,3,H,W], got " + image.getShape());
        }
        NDManager manager = NDManager.newBaseManager();
        try {
            NDArray copy = manager.create(image.toFloatArray(), image.getShape());
            return finish(manager, copy, "", new ArrayList<>(), backbone, upsampler, options, progress);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    private static DenseFeatures finish(NDManager manager, NDArray decoded, String note, List<DenseFeatures.Stage> stages,
                                        Backbone backbone, Upsampler upsampler, Options options, Progress progress) {
        checkCancelled(progress);
        long t = System.nanoTime();
        NDArray input = BackboneInput.prepare(decoded, backbone, options.size());
        String sizeNote = note;
        if (backbone.fixedSize() && input != decoded) {
            sizeNote = join(note, backbone.name() + " takes only " + backbone.preferredSize() + "x" + backbone.preferredSize()
                    + " images: the image was stretched to that size");
        }
        if (input != decoded) decoded.close();
        stages.add(new DenseFeatures.Stage("resize", ms(t)));
        int h = (int) input.getShape().get(2);
        int w = (int) input.getShape().get(3);

        progress.update(0.2, String.format(Locale.ROOT, "%s on %dx%d px", backbone.name(), w, h));
        checkCancelled(progress);
        t = System.nanoTime();
        NDArray lowRes = backbone.extract(input);
        stages.add(new DenseFeatures.Stage("backbone", ms(t)));

        progress.update(0.5, String.format(Locale.ROOT, "%s: %dx%d tokens to %dx%d px", upsampler.name(), lowRes.getShape().get(3),
                lowRes.getShape().get(2), w, h));
        checkCancelled(progress);
        t = System.nanoTime();
        NDArray dense = upsampler.upsample(input, lowRes, h, w);
        dense.attach(manager);
        stages.add(new DenseFeatures.Stage("upsample", ms(t)));

        progress.update(0.9, "PCA of " + lowRes.getShape().get(2) * lowRes.getShape().get(3) + " tokens");
        checkCancelled(progress);
        t = System.nanoTime();
        Pca pca = Pca.fit(lowRes);
        stages.add(new DenseFeatures.Stage("pca", ms(t)));
        progress.update(1, "done");
        return new DenseFeatures(manager, input, lowRes, dense, pca, stages, sizeNote, backbone.name(), upsampler.name());
    }

    /**
     * The same image and low-resolution features through another upsampler, without running the backbone again
     * (the workbench switches and compares upsamplers this way). The result owns copies of the image and the
     * low-resolution features, keeps the note and shares the PCA of {@code features}, so colours mean the same in
     * both; its only stage is "upsample". {@code features} is left open.
     */
    public static DenseFeatures upsample(DenseFeatures features, Upsampler upsampler, Progress progress) {
        checkCancelled(progress);
        NDManager manager = NDManager.newBaseManager();
        try {
            NDArray input = Tensors.of(manager, features.image().toFloatArray(), features.image().getShape());
            NDArray lowRes = Tensors.of(manager, features.lowRes().toFloatArray(), features.lowRes().getShape());
            int h = features.height();
            int w = features.width();
            progress.update(0.5, String.format(Locale.ROOT, "%s: %dx%d tokens to %dx%d px", upsampler.name(), lowRes.getShape().get(3),
                    lowRes.getShape().get(2), w, h));
            long t = System.nanoTime();
            NDArray dense = upsampler.upsample(input, lowRes, h, w);
            dense.attach(manager);
            List<DenseFeatures.Stage> stages = List.of(new DenseFeatures.Stage("upsample", ms(t)));
            progress.update(1, "done");
            return new DenseFeatures(manager, input, lowRes, dense, features.pca(), stages, features.note(), features.backboneName(),
                    upsampler.name());
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    private static String join(String a, String b) {
        return a.isEmpty() ? b : a + "; " + b;
    }

    private static void checkCancelled(Progress progress) {
        if (progress.isCancelled()) throw new CancellationException("feature extraction cancelled");
    }

    private static double ms(long start) {
        return (System.nanoTime() - start) / 1e6;
    }
}
