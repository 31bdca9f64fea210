package dev.loupe.features;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.loupe.tensor.Images;
import dev.loupe.tensor.SafeTensors;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One image's features, as {@link FeaturePipeline} makes them: the image the backbone saw, its low-resolution
 * features, their upsampled (dense) version, the PCA fitted on the low-resolution tokens, and how long each stage
 * took. Owns its arrays: close it when done. Rendering methods may be called from any one thread at a time.
 */
public final class DenseFeatures implements AutoCloseable {
    /** Dense-feature file keys. */
    public static final String DENSE_KEY = "features";
    public static final String LOW_RES_KEY = "low_res";

    /** One stage's wall time. */
    public record Stage(String name, double millis) {}

    private final NDManager manager;
    private final NDArray image;
    private final NDArray lowRes;
    private final NDArray dense;
    private final Pca pca;
    private final List<Stage> stages;
    private final String note;
    private final String backbone;
    private final String upsampler;

    DenseFeatures(NDManager manager, NDArray image, NDArray lowRes, NDArray dense, Pca pca, List<Stage> stages, String note,
                  String backbone, String upsampler) {
        this.manager = manager;
        this.image = image;
        this.lowRes = lowRes;
        this.dense = dense;
        this.pca = pca;
        this.stages = List.copyOf(stages);
        this.note = note;
        this.backbone = backbone;
        this.upsampler = upsampler;
    }

    /** The RGB image the backbone saw, {@code [1,3,H,W]} in [0,1]. */
    public NDArray image() { return image; }

    /** {@code [1,C,h,w]}. */
    public NDArray lowRes() { return lowRes; }

    /** {@code [1,C,H,W]}, at the image's size. */
    public NDArray dense() { return dense; }

    public Pca pca() { return pca; }

    /** Wall time of each stage, in order (decode, resize, backbone, upsample, pca). */
    public List<Stage> stages() { return stages; }

    /** What was done to the input that the user should know (for example a resize to the pixel limit), or "". */
    public String note() { return note; }

    public String backboneName() { return backbone; }

    public String upsamplerName() { return upsampler; }

    public int width() { return (int) image.getShape().get(3); }

    public int height() { return (int) image.getShape().get(2); }

    public BufferedImage imageRgb() {
        return Images.toImage(image);
    }

    /** The low-resolution PCA at one pixel per token. */
    public BufferedImage lowResPca() {
        return pca.toImage(lowRes);
    }

    /** The low-resolution PCA at the image's size, tokens as blocks. */
    public BufferedImage lowResPcaAtImageSize() {
        return Overlay.nearest(lowResPca(), width(), height());
    }

    /** The upsampled features in the same PCA colours. */
    public BufferedImage densePca() {
        return pca.toImage(dense);
    }

    /** The upsampled PCA over the image at {@code opacity} (0 = only the image, 1 = only the colours). */
    public BufferedImage overlay(double opacity) {
        return Overlay.blend(imageRgb(), densePca(), opacity);
    }

    /** Similarity of the low-resolution token under pixel (x, y) to every token. */
    public Similarity.Scores lowResSimilarity(int x, int y) {
        return Similarity.fromPixel(lowRes, x, y, width(), height());
    }

    /** Similarity of the dense feature at pixel (x, y) to every pixel. */
    public Similarity.Scores denseSimilarity(int x, int y) {
        return Similarity.fromPixel(dense, x, y, width(), height());
    }

    /** Writes the dense and low-resolution features as safetensors ({@value #DENSE_KEY}, {@value #LOW_RES_KEY}). */
    public void writeFeatures(Path file) throws IOException {
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        tensors.put(DENSE_KEY, dense);
        tensors.put(LOW_RES_KEY, lowRes);
        SafeTensors.write(file, tensors);
    }

    @Override
    public void close() {
        manager.close();
    }
}
