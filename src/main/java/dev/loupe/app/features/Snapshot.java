package dev.loupe.app.features;

import java.awt.image.BufferedImage;
import java.util.List;

/**
 * What the workspace shows of one image's features, rendered and detached from native memory: the low-resolution
 * PCA at one pixel per token, each upsampler's PCA at the backbone input's size (all in the colours of one PCA
 * basis fitted on the low-resolution tokens) and how long each stage took.
 *
 * @param source         the image
 * @param backbone       the backbone's name
 * @param channels       feature channels
 * @param inputWidth     width of the image the backbone saw (the dense features' width)
 * @param inputHeight    its height
 * @param lowResPca      token grid in PCA colours ({@code tokens wide x tokens high})
 * @param upsampled      one layer per upsampler, in the order asked for
 * @param stages         the shared stages (resize, backbone, pca) of the computation that ran the backbone
 * @param backboneReused whether this snapshot reused backbone features computed earlier (only upsamplers ran)
 * @param explained      share of the low-resolution variance along the three PCA components
 * @param note           what the pipeline did to the input that the user should know ("" if nothing)
 */
public record Snapshot(FeatureSource source, String backbone, int channels, int inputWidth, int inputHeight, BufferedImage lowResPca,
                       List<Layer> upsampled, List<Stage> stages, boolean backboneReused, double[] explained, String note) {
    /** One upsampler's result. {@code reused}: computed for an earlier snapshot of the same features. */
    public record Layer(String spec, String name, BufferedImage pca, double millis, boolean reused) {}

    /** A timed stage. */
    public record Stage(String name, double millis) {}

    public Snapshot {
        upsampled = List.copyOf(upsampled);
        stages = List.copyOf(stages);
        explained = explained.clone();
    }

    public int tokensWide() {
        return lowResPca.getWidth();
    }

    public int tokensHigh() {
        return lowResPca.getHeight();
    }

    public Layer layer(String spec) {
        return upsampled.stream().filter(l -> l.spec().equals(spec)).findFirst().orElse(null);
    }

    /** The stage named {@code name}'s milliseconds, or NaN. */
    public double millis(String name) {
        return stages.stream().filter(s -> s.name().equals(name)).mapToDouble(Stage::millis).findFirst().orElse(Double.NaN);
    }
}
