package dev.loupe.upsample.peers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.loupe.tensor.Images;
import dev.loupe.tensor.Parameter;
import dev.loupe.tensor.Resize;
import dev.loupe.tensor.nn.Activations;
import dev.loupe.tensor.nn.Conv2d;
import dev.loupe.upsample.uplift.LocalAttender;
import dev.loupe.upsample.uplift.LocalAttenderKernel;
import java.util.ArrayList;
import java.util.List;

/**
 * A FeatUp-style joint bilateral upsampler (Fu et al., ICLR 2024): stacked stages, each of which bilinearly resizes
 * the features to its output size and then filters them with a per-pixel adaptive kernel over a
 * {@code (2r+1) x (2r+1)} window,
 * <pre>
 *   K(p, p+o) = spatial(o) * range(p, p+o) / sum over the window
 *   spatial(o) = exp(-|o|^2 / 2 sigma^2)                               fixed
 *   range(p, p+o) = softmax_o( t * &lt;g(p), g(p+o)&gt; )                  learned
 * </pre>
 * where g is a projection (1x1 conv, GELU, 1x1 conv) of the ImageNet-normalised image average-pooled to the stage's
 * size, and t a learned temperature. The normalised product equals {@code softmax_o(t <g(p), g(p+o)> + log spatial(o))},
 * which is how it is computed. Each output is a convex mix of the resized features in its window. Keys:
 * {@code range_proj.0.*}, {@code range_proj.2.*}, {@code range_temp}.
 *
 * <p>Unlike FeatUp, whose four stages have their own weights, the stages share one set here: trained with Loupe's
 * recipe (2x and 4x), a stack of separate stages would leave the deeper ones untrained at 16x; a shared stage is
 * scale-free (its window and guidance are in output pixels), as UPLiFT's shared decoder is.
 */
public final class JointBilateral extends PeerModule<JbuConfig> {
    private final Conv2d project;
    private final Conv2d key;
    private final Parameter logTemperature;
    private final int[][] offsets;
    private final float[] logSpatial;

    public JointBilateral(NDManager manager, JbuConfig config) {
        super(manager, config);
        project = child("range_proj.0", new Conv2d(manager, 3, config.hidden(), 1, true));
        key = child("range_proj.2", new Conv2d(manager, config.hidden(), config.keyDim(), 1, true));
        logTemperature = parameter("range_temp", manager.zeros(new Shape(1)));
        int r = config.radius();
        offsets = new int[config.window() * config.window()][];
        logSpatial = new float[offsets.length];
        int k = 0;
        for (int dy = -r; dy <= r; dy++) {
            for (int dx = -r; dx <= r; dx++) {
                offsets[k] = new int[] {dy, dx};
                logSpatial[k++] = (float) (-(dy * dy + dx * dx) / (2 * config.sigma() * config.sigma()));
            }
        }
    }

    /**
     * Output sides of the stages taking {@code from} to {@code to}: halving back from {@code to} while still above
     * {@code from}, so every stage but the first is exactly 2x ({@code 16 -> 32, 64, 128, 256}; {@code 64 -> 112, 224,
     * 448, 896}).
     */
    public static List<Integer> stageSizes(int from, int to) {
        List<Integer> sizes = new ArrayList<>();
        for (int s = to; s > from; s = (s + 1) / 2) sizes.add(0, s);
        if (sizes.isEmpty()) sizes.add(to);
        return sizes;
    }

    /** The image as the range projection sees it. */
    public static NDArray normalise(NDArray rgb) {
        return Images.normalizeImageNet(rgb);
    }

    /**
     * The adaptive kernel for guidance {@code [B,3,H,W]} (normalised, at the stage's output size): {@code [B,n,H,W]},
     * softmaxed over the n window offsets (row-major from (-r,-r)).
     */
    NDArray kernel(NDArray guidance) {
        NDArray g;
        try (NDArray hidden = project.forward(guidance); NDArray activated = Activations.gelu(hidden)) {
            g = key.forward(activated); // [B,D,H,W]
        }
        int h = (int) g.getShape().get(2);
        int w = (int) g.getShape().get(3);
        int r = config.radius();
        NDList dots = new NDList(offsets.length);
        try (NDArray padded = LocalAttender.replicationPad(g, r)) { // [B,D,H+2r,W+2r]
            for (int[] o : offsets) {
                try (NDArray shifted = padded.get(new NDIndex(":, :, {}:{}, {}:{}", r + o[0], r + o[0] + h, r + o[1], r + o[1] + w));
                        NDArray product = g.mul(shifted)) {
                    dots.add(product.sum(new int[] {1}, true)); // [B,1,H,W]
                }
            }
        }
        g.close();
        NDArray similarity = NDArrays.concat(dots, 1); // [B,n,H,W]
        dots.close();
        try (similarity; NDArray temperature = logTemperature.array().exp().clip(1e-4f, 1e4f);
                NDArray spatial = similarity.getManager().create(logSpatial, new Shape(1, offsets.length, 1, 1));
                NDArray scaled = similarity.mul(temperature); NDArray logits = scaled.add(spatial)) {
            return logits.softmax(1);
        }
    }

    /** One differentiable stage: features {@code [B,C,h,w]} to {@code [B,C,outH,outW]} guided by the normalised image. */
    NDArray stage(NDArray features, NDArray normalisedImage, int outH, int outW) {
        try (NDArray up = Resize.bilinear(features, outH, outW, false); NDArray weights = kernel(guidance(normalisedImage, outH, outW))) {
            return LocalAttender.mix(weights, up, offsets, config.radius(), 1);
        }
    }

    /** The image average-pooled to the stage's size (itself when it already has it). */
    static NDArray guidance(NDArray normalisedImage, int h, int w) {
        if (normalisedImage.getShape().get(2) == h && normalisedImage.getShape().get(3) == w) return normalisedImage;
        return Resize.antialiased(normalisedImage, h, w, Resize.Filter.AREA);
    }

    @Override
    public List<NDArray> forwardSteps(NDArray image, NDArray features, int steps) {
        checkInputs(image, features);
        NDArray normalised = normalise(image);
        List<NDArray> out = new ArrayList<>();
        NDArray x = features;
        for (int i = 1; i <= steps; i++) {
            x = stage(x, normalised, (int) features.getShape().get(2) << i, (int) features.getShape().get(3) << i);
            out.add(x);
        }
        return out;
    }

    /**
     * The inference form: pixel-dense (or any) output through {@link #stageSizes} stages, each one's temporaries
     * released before the next, the window sums by the multithreaded {@link LocalAttenderKernel}. Result in the
     * features' manager.
     */
    @Override
    public NDArray upsample(NDArray image, NDArray features, int outH, int outW) {
        checkInputs(image, features);
        if (isTraining()) throw new IllegalStateException("the model is in training mode; inference needs eval mode");
        NDManager target = features.getManager();
        List<Integer> heights = stageSizes((int) features.getShape().get(2), outH);
        List<Integer> widths = stageSizes((int) features.getShape().get(3), outW);
        while (widths.size() < heights.size()) widths.add(0, widths.get(0));
        while (heights.size() < widths.size()) heights.add(0, heights.get(0));
        NDArray x = features;
        try (NDManager scope = target.newSubManager()) {
            NDArray normalised = normalise(image);
            normalised.attach(scope);
            for (int i = 0; i < heights.size(); i++) {
                int h = heights.get(i);
                int w = widths.get(i);
                NDArray next;
                try (NDManager stage = scope.newSubManager()) {
                    normalised.tempAttach(stage); // the stage's temporaries land in (and leave with) the stage
                    if (x == features) x.tempAttach(stage); else x.attach(stage);
                    NDArray probabilities = kernel(guidance(normalised, h, w));
                    NDArray up = Resize.bilinear(x, h, w, false);
                    if (x != features) x.close();
                    next = LocalAttenderKernel.apply(probabilities, up, offsets, config.radius(), 1);
                    next.attach(scope);
                }
                x = next;
            }
            x.attach(target);
            return x;
        }
    }

    private void checkInputs(NDArray image, NDArray features) {
        PeerInputs.check(image, features, config.channels(), "joint bilateral");
    }
}
