package dev.loupe.upsample.uplift;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.loupe.tensor.Module;
import dev.loupe.tensor.nn.BatchNorm2d;
import dev.loupe.tensor.nn.Conv2d;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The reference's conv blocks: one or two stages of (3x3 conv without bias, norm, ReLU), an optional 1x1 conv,
 * and a {@code residual_auto} connection from the input (bilinearly halved when the block is strided). Keys follow
 * its {@code nn.Sequential}: stage s at {@code conv.3s} (conv) and {@code conv.3s+1} (norm), the 1x1 conv next.
 */
abstract class ConvBlock extends Module {
    private final List<Conv2d> convs = new ArrayList<>();
    private final List<Module> norms = new ArrayList<>();
    private final Conv2d oneBy;
    private final boolean residual;
    private final int stride;

    ConvBlock(NDManager manager, int in, int[] widths, String norm, boolean residual, int stride, boolean withOneBy) {
        super(manager);
        this.residual = residual;
        this.stride = stride;
        Layers conv = child("conv", new Layers(manager));
        int c = in;
        for (int s = 0; s < widths.length; s++) {
            convs.add(conv.at(3 * s, new Conv2d(manager, c, widths[s], 3, stride, 1, 1, false)));
            norms.add(conv.at(3 * s + 1, norm.equals("batch") ? new BatchNorm2d(manager, widths[s])
                    : new ChannelsFirstLayerNorm(manager, widths[s])));
            c = widths[s];
        }
        oneBy = withOneBy ? conv.at(3 * widths.length, new Conv2d(manager, c, c, 1, true)) : null;
    }

    NDArray forward(NDArray x) {
        NDArray y = x;
        for (int s = 0; s < convs.size(); s++) {
            y = Ops.relu(norm(s, convs.get(s).forward(y)));
        }
        if (oneBy != null) y = oneBy.forward(y);
        if (!residual) return y;
        NDArray skip = stride == 2 ? Ops.upsamplingBilinear(x, 0.5) : x;
        return Ops.residualAuto(skip, y);
    }

    private NDArray norm(int stage, NDArray x) {
        Module n = norms.get(stage);
        return n instanceof BatchNorm2d bn ? bn.forward(x) : ((ChannelsFirstLayerNorm) n).forward(x);
    }

    /**
     * The inference form: BatchNorm folded into the preceding convolution (weights snapshotted into
     * {@code target}), temporaries released as soon as they are used, the residual added in place.
     */
    UnaryOperator<NDArray> compile(NDManager target) {
        int stages = convs.size();
        NDArray[] weights = new NDArray[stages];
        NDArray[] biases = new NDArray[stages];
        ChannelsFirstLayerNorm[] layerNorms = new ChannelsFirstLayerNorm[stages];
        for (int s = 0; s < stages; s++) {
            NDArray w = convs.get(s).weight().array();
            if (norms.get(s) instanceof BatchNorm2d bn) {
                NDArray[] affine = bn.foldedAffine(); // y = scale * conv(x) + shift
                weights[s] = w.mul(affine[0].reshape(-1, 1, 1, 1));
                biases[s] = affine[1];
                weights[s].attach(target);
                biases[s].attach(target);
                affine[0].close();
            } else {
                weights[s] = w.duplicate();
                weights[s].attach(target);
                layerNorms[s] = (ChannelsFirstLayerNorm) norms.get(s);
            }
        }
        NDArray oneByWeight = oneBy == null ? null : snapshot(oneBy.weight().array(), target);
        NDArray oneByBias = oneBy == null ? null : snapshot(oneBy.bias().array(), target);
        return x -> {
            NDArray y = x;
            for (int s = 0; s < stages; s++) {
                NDArray z = Ops.conv(y, weights[s], biases[s], stride, 1);
                if (y != x) y.close();
                if (layerNorms[s] != null) {
                    ChannelsFirstLayerNorm norm = layerNorms[s];
                    NDArray n = Ops.scoped(z, norm::forward);
                    z.close();
                    z = n;
                }
                y = Ops.relu(z);
                z.close();
            }
            if (oneByWeight != null) {
                NDArray z = Ops.conv(y, oneByWeight, oneByBias, 1, 0);
                if (y != x) y.close();
                y = z;
            }
            if (residual) {
                NDArray skip = stride == 2 ? Ops.upsamplingBilinear(x, 0.5) : x;
                Ops.addResidualInPlace(skip, y);
                if (skip != x) skip.close();
            }
            return y;
        };
    }

    static NDArray snapshot(NDArray a, NDManager target) {
        NDArray copy = a.duplicate();
        copy.attach(target);
        return copy;
    }

    /** Multiply-accumulates of the convolutions for an input of {@code h x w}. */
    long macs(long h, long w) {
        long oh = stride == 2 ? (h + 1) / 2 : h;
        long ow = stride == 2 ? (w + 1) / 2 : w;
        long total = 0;
        for (int s = 0; s < convs.size(); s++) {
            if (s > 0 && stride == 2) {
                oh = (oh + 1) / 2;
                ow = (ow + 1) / 2;
            }
            total += convs.get(s).macs(oh, ow);
        }
        if (oneBy != null) total += oneBy.macs(oh, ow);
        return total;
    }

    /** Output size for an input of {@code size} along one axis. */
    long outSize(long size) {
        long s = size;
        if (stride == 2) for (int i = 0; i < convs.size(); i++) s = (s + 1) / 2;
        return s;
    }
}
