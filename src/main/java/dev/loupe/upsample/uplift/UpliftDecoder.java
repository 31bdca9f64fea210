package dev.loupe.upsample.uplift;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.loupe.tensor.Module;
import dev.loupe.tensor.Resize;
import dev.loupe.tensor.nn.Conv2d;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * One UPLiFT decoder step (the same weights run at every iteration). For the released configuration, with x the
 * step's input {@code [B,384,h,w]}:
 * <pre>
 *   cat(x, enc[-1] nearest-resized to h x w)      [B,512,h,w]
 *   block_0: DoubleConv                           [B,64,h,w]
 *   up_1: 2x2 transposed conv + bilinear residual [B,64,2h,2w]
 *   cat(., enc[-2] resized to 2h x 2w)            [B,192,2h,2w]
 *   block_1: DoubleConv                           [B,64,2h,2w]   the guide of the Local Attender
 * </pre>
 * With noise channels ({@code ncat_c > 0}, the SD-VAE variant) Gaussian noise is concatenated at every stage. Without
 * an attender a 1x1 conv ({@code outc}) maps to the feature width, with a residual.
 */
final class UpliftDecoder extends Module {
    private final List<BlockGroup> blocks = new ArrayList<>();
    private final List<UpBlock> ups = new ArrayList<>();
    private final Conv2d outc;
    private final boolean residualOutc;
    private final int noiseChannels;
    private final float noiseScale;
    private final String encResample;
    private final int outChannels;

    UpliftDecoder(NDManager manager, int in, int out, UpliftConfig.Decoder cfg, int[] encChannels, boolean usingAttender) {
        super(manager);
        noiseChannels = cfg.ncatC();
        noiseScale = (float) cfg.ncatS();
        encResample = cfg.encResample();
        int e = encChannels.length;
        int c = in + encChannels[e - 1] + noiseChannels;
        BlockGroup first = child("block_0", new BlockGroup(manager, c, cfg.blocks().get(0)));
        blocks.add(first);
        c = first.outChannels();
        for (int i = 1; i <= cfg.upSteps(); i++) {
            ups.add(child("up_" + i, new UpBlock(manager, c, cfg.ups().get(i - 1))));
            c = c + encChannels[e - 1 - i] + noiseChannels;
            BlockGroup g = child("block_" + i, new BlockGroup(manager, c, cfg.blocks().get(i)));
            blocks.add(g);
            c = g.outChannels();
        }
        if (usingAttender) {
            outc = null;
            residualOutc = false;
            outChannels = c;
        } else {
            outc = child("outc", new Conv2d(manager, c, out, 1, true));
            residualOutc = cfg.residualOutc();
            outChannels = out;
        }
    }

    int outChannels() {
        return outChannels;
    }

    /** How many encoder outputs (from the deepest) a step reads. */
    int encoderInputs() {
        return blocks.size();
    }

    /** x {@code [B,C,h,w]}, encoder outputs shallowest first; returns the guide (or the features without attender). */
    NDArray forward(NDArray x, List<NDArray> enc) {
        int e = enc.size();
        NDArray y = blocks.get(0).forward(combine(x, enc.get(e - 1), noiseChannels, noiseScale, encResample));
        for (int i = 1; i < blocks.size(); i++) {
            y = ups.get(i - 1).forward(y);
            y = blocks.get(i).forward(combine(y, enc.get(e - 1 - i), noiseChannels, noiseScale, encResample));
        }
        if (outc == null) return y;
        NDArray logits = outc.forward(y);
        return residualOutc ? Ops.residualAuto(y, logits) : logits;
    }

    /**
     * The reference's {@code noise_and_combine}: resize the encoder features to x's size, concatenate them, then
     * append {@code noiseChannels} of Gaussian noise times {@code noiseScale}.
     */
    static NDArray combine(NDArray x, NDArray features, int noiseChannels, float noiseScale, String resample) {
        NDList parts = new NDList(x);
        NDArray resized = null;
        if (features != null) {
            resized = resample(features, Ops.height(x), Ops.width(x), resample);
            parts.add(resized);
        }
        NDArray noise = null;
        if (noiseChannels > 0) {
            Shape s = x.getShape();
            noise = x.getManager().randomNormal(0, noiseScale, new Shape(s.get(0), noiseChannels, s.get(2), s.get(3)), x.getDataType());
            parts.add(noise);
        }
        if (parts.size() == 1) return x.duplicate();
        NDArray out = NDArrays.concat(parts, 1);
        if (resized != null && resized != features) resized.close();
        if (noise != null) noise.close();
        return out;
    }

    /** Encoder features at the decoder's size; the input itself when nothing needs to change. */
    static NDArray resample(NDArray f, int h, int w, String mode) {
        if (Ops.height(f) == h && Ops.width(f) == w) return f;
        return switch (mode) {
            case "nearest" -> Resize.nearest(f, h, w);
            case "bilinear" -> Resize.torchvisionBilinear(f, h, w);
            default -> throw new dev.loupe.LoupeException("the decoder needs encoder features of " + h + "x" + w + " but got "
                    + Ops.height(f) + "x" + Ops.width(f) + " and enc_resample is 'none'");
        };
    }


    /** The inference form: (x, encoder outputs) to guide; releases its temporaries, never its inputs. */
    Compiled compile(NDManager target) {
        List<UnaryOperator<NDArray>> blockOps = new ArrayList<>();
        List<UnaryOperator<NDArray>> upOps = new ArrayList<>();
        for (BlockGroup g : blocks) blockOps.add(g.compile(target));
        for (UpBlock u : ups) upOps.add(u.compile());
        NDArray outW = outc == null ? null : ConvBlock.snapshot(outc.weight().array(), target);
        NDArray outB = outc == null ? null : ConvBlock.snapshot(outc.bias().array(), target);
        return (x, enc) -> {
            int e = enc.size();
            NDArray y;
            try (NDArray in = combine(x, enc.get(e - 1), noiseChannels, noiseScale, encResample)) {
                y = blockOps.get(0).apply(in);
            }
            for (int i = 1; i < blockOps.size(); i++) {
                NDArray up = upOps.get(i - 1).apply(y);
                if (up != y) y.close();
                try (NDArray in = combine(up, enc.get(e - 1 - i), noiseChannels, noiseScale, encResample)) {
                    up.close();
                    y = blockOps.get(i).apply(in);
                }
            }
            if (outW == null) return y;
            NDArray logits = Ops.conv(y, outW, outB, 1, 0);
            if (residualOutc) Ops.addResidualInPlace(y, logits);
            y.close();
            return logits;
        };
    }

    @FunctionalInterface
    interface Compiled {
        NDArray apply(NDArray x, List<NDArray> enc);
    }

    /** Multiply-accumulates of one step whose input is {@code h x w}. */
    long macs(long h, long w) {
        long total = blocks.get(0).macs(h, w);
        long ch = blocks.get(0).outSize(h);
        long cw = blocks.get(0).outSize(w);
        for (int i = 1; i < blocks.size(); i++) {
            total += ups.get(i - 1).macs(ch, cw);
            ch *= ups.get(i - 1).factor();
            cw *= ups.get(i - 1).factor();
            total += blocks.get(i).macs(ch, cw);
            ch = blocks.get(i).outSize(ch);
            cw = blocks.get(i).outSize(cw);
        }
        if (outc != null) total += outc.macs(ch, cw);
        return total;
    }

    /** The factor by which a step grows the spatial size. */
    int upFactor() {
        int f = 1;
        for (UpBlock u : ups) f *= u.factor();
        return f;
    }
}
