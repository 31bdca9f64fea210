package dev.loupe.eval.reward;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Activation;
import dev.loupe.tensor.Module;
import dev.loupe.tensor.nn.Conv2d;
import dev.loupe.tensor.nn.Linear;
import java.util.ArrayList;
import java.util.List;

/**
 * The reward model's network: a small CNN that reads a 32x32 RGB image and gives one logit per attribute of
 * {@link SceneAttributes}. Every level halves the resolution, then refines:
 * <pre>
 *   stem      ConvBnRelu 2x2 stride 2 (3 -> w0), depth x ConvBnRelu 3x3   [B, w0, S/2, S/2]
 *   stage.i   ConvBnRelu 3x3 stride 2, depth x ConvBnRelu 3x3             [B, wi, S/2^(i+1), ...]
 *   pairs     on the second-to-last level: Conv 3x3 + ReLU, Conv 1x1       [B, PAIRS, m, m]
 *             then the maximum over positions                             [B, PAIRS]
 *   pool      mean and max over space of the last level, concatenated      [B, 2 wL]
 *   hidden    Linear + ReLU                                                [B, hidden]
 *   out       Linear: count, background kind and colour                   [B, OUTPUTS - PAIRS]
 *   map       Conv2d 3x3 on the second-to-last level                       [B, 18, m, m]  (training only)
 * </pre>
 * The 2x2 stem loses nothing (12 values into w0 channels) and makes the net four times cheaper than a
 * full-resolution one. A pair is judged where an object is, from that position's features, and is present if it is
 * present anywhere (multiple-instance pooling): pooling first would lose which colour goes with which shape. The
 * pooled features carry the count and the background. {@code map} says, per cell, which shape and which colour
 * the object that covers most of the cell has (or that the background does): dense supervision during training,
 * many labels per image instead of one multi-hot vector, which teaches the features shapes and colours where the
 * objects are. The input is RGB in [0, 1], centred inside the network.
 */
public final class RewardNet extends Module {
    /** Shape logits (8 shapes and the background) then colour logits (8 colours and the background) per cell. */
    public static final int MAP_CHANNELS = 2 * (RewardData.BACKGROUND_CELL + 1);

    private final RewardConfig config;
    private final List<Level> levels = new ArrayList<>();
    private final Conv2d pairHidden;
    private final Conv2d pairOut;
    private final Linear hidden;
    private final Linear out;
    private final Conv2d map;

    public RewardNet(NDManager manager, RewardConfig config) {
        super(manager);
        this.config = config;
        List<Integer> w = config.widths();
        levels.add(child("stem", new Level(manager, 3, w.get(0), 2, 0, config.depth())));
        for (int i = 1; i < w.size(); i++) {
            levels.add(child("stage" + i, new Level(manager, w.get(i - 1), w.get(i), 3, 1, config.depth())));
        }
        int last = w.get(w.size() - 1);
        int mapLevel = w.get(w.size() - 2);
        pairHidden = child("pair_hidden", new Conv2d(manager, mapLevel, config.pairHidden(), 3, true));
        pairOut = child("pair_out", new Conv2d(manager, config.pairHidden(), SceneAttributes.PAIRS, 1, true));
        hidden = child("hidden", new Linear(manager, 2L * last, config.hidden()));
        out = child("out", new Linear(manager, config.hidden(), SceneAttributes.OUTPUTS - SceneAttributes.PAIRS));
        map = child("map", new Conv2d(manager, mapLevel, MAP_CHANNELS, 3, true));
    }

    /** Halves the resolution ({@code down}, stride 2) then refines ({@code conv1} ... {@code convD}, 3x3). */
    private static final class Level extends Module {
        private final ConvBnRelu down;
        private final List<ConvBnRelu> convs = new ArrayList<>();

        Level(NDManager manager, int in, int out, int downKernel, int downPadding, int depth) {
            super(manager);
            down = child("down", new ConvBnRelu(manager, in, out, downKernel, 2, downPadding));
            for (int i = 1; i <= depth; i++) convs.add(child("conv" + i, new ConvBnRelu(manager, out, out, 3, 1, 1)));
        }

        NDArray forward(NDArray x) {
            NDArray y = down.forward(x);
            for (ConvBnRelu conv : convs) y = conv.forward(y);
            return y;
        }

        long macs(long outH, long outW) {
            long macs = down.macs(outH, outW);
            for (ConvBnRelu conv : convs) macs += conv.macs(outH, outW);
            return macs;
        }
    }

    public RewardConfig config() {
        return config;
    }

    /** {@code [B, 3, S, S]} RGB in [0, 1] (S = the configured size) to logits {@code [B, OUTPUTS]}. */
    public NDArray forward(NDArray images) {
        return run(images, false).logits();
    }

    /** The logits and the map {@code [B, MAP_CHANNELS, m, m]} ({@code m = }{@link RewardConfig#mapSize()}). */
    public record Outputs(NDArray logits, NDArray map) {}

    /** The logits and the shape and colour map, for training. */
    public Outputs forwardWithMap(NDArray images) {
        return run(images, true);
    }

    private Outputs run(NDArray images, boolean withMap) {
        if (images.getShape().dimension() != 4 || images.getShape().get(1) != 3 || images.getShape().get(2) != config.imageSize()
                || images.getShape().get(3) != config.imageSize()) {
            throw new IllegalArgumentException("the reward network reads [B, 3, " + config.imageSize() + ", "
                    + config.imageSize() + "] images, got " + images.getShape());
        }
        NDArray x = images.sub(0.5f).mul(4f); // the input needs no gradient: plain numbers are safe here
        NDArray cellMap = null;
        NDArray pairs = null;
        long b = x.getShape().get(0);
        for (int i = 0; i < levels.size(); i++) {
            x = levels.get(i).forward(x);
            if (i == levels.size() - 2) {
                if (withMap) cellMap = map.forward(x);
                // pairs: [B, w, m, m] -> [B, PAIRS, m, m] -> [B, PAIRS, m*m] -> [B, PAIRS]
                NDArray perCell = pairOut.forward(Activation.relu(pairHidden.forward(x)));
                pairs = perCell.reshape(b, SceneAttributes.PAIRS, -1).max(new int[] {2});
            }
        }
        // x: [B, wL, h, w] -> [B, wL, h*w] -> [B, 2 wL] (the engine reduces one axis at a time)
        NDArray flat = x.reshape(b, x.getShape().get(1), -1);
        NDArray pooled = NDArrays.concat(new NDList(flat.mean(new int[] {2}), flat.max(new int[] {2})), 1);
        NDArray rest = out.forward(Activation.relu(hidden.forward(pooled)));
        return new Outputs(NDArrays.concat(new NDList(pairs, rest), 1), cellMap); // the layout of SceneAttributes
    }

    /** Multiply-accumulates per image. */
    public long macsPerImage() {
        long size = config.imageSize();
        long macs = 0;
        for (Level level : levels) {
            size /= 2;
            macs += level.macs(size, size);
        }
        long m = config.mapSize();
        return macs + pairHidden.macs(m, m) + pairOut.macs(m, m) + hidden.macs(1) + out.macs(1);
    }
}
