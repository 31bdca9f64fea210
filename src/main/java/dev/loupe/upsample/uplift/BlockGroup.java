package dev.loupe.upsample.uplift;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.loupe.tensor.Module;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/** {@code count} blocks of one kind in a row (keys {@code blocks.0}, {@code blocks.1}, ...); none is the identity. */
final class BlockGroup extends Module {
    private final List<Module> blocks = new ArrayList<>();
    private final int outChannels;

    BlockGroup(NDManager manager, int in, UpliftConfig.BlockGroup cfg) {
        super(manager);
        int c = in;
        if (cfg.count() > 0) {
            Layers layers = child("blocks", new Layers(manager));
            for (int i = 0; i < cfg.count(); i++) {
                int out = cfg.hc().get(i);
                Module block = switch (cfg.block()) {
                    case "SingleConv" -> new SingleConv(manager, c, out, cfg.norm(), cfg.residual(), cfg.stride(), cfg.oneBy());
                    case "DoubleConv" -> new DoubleConv(manager, c, out, cfg.norm(), cfg.residual(), cfg.stride(), cfg.oneBy());
                    case "TransposeConv" -> new TransposeConvBlock(manager, c, out);
                    case "IdentityBlock" -> null;
                    default -> throw new IllegalArgumentException("unknown block " + cfg.block());
                };
                if (block != null) layers.at(i, block);
                blocks.add(block);
                c = block == null ? c : out;
            }
        }
        outChannels = c;
    }

    int outChannels() {
        return outChannels;
    }

    NDArray forward(NDArray x) {
        NDArray y = x;
        for (Module b : blocks) {
            if (b instanceof ConvBlock cb) y = cb.forward(y);
            else if (b instanceof TransposeConvBlock t) y = t.forward(y);
        }
        return y;
    }

    /** Inference form; never closes its input, always returns a new array. */
    UnaryOperator<NDArray> compile(NDManager target) {
        List<UnaryOperator<NDArray>> ops = new ArrayList<>();
        for (Module b : blocks) {
            if (b instanceof ConvBlock cb) ops.add(cb.compile(target));
            else if (b instanceof TransposeConvBlock t) ops.add(t.compile());
        }
        return x -> {
            NDArray y = x;
            for (UnaryOperator<NDArray> op : ops) {
                NDArray z = op.apply(y);
                if (y != x) y.close();
                y = z;
            }
            return y == x ? x.duplicate() : y;
        };
    }

    long macs(long h, long w) {
        long total = 0;
        long ch = h;
        long cw = w;
        for (Module b : blocks) {
            if (b instanceof ConvBlock cb) {
                total += cb.macs(ch, cw);
                ch = cb.outSize(ch);
                cw = cb.outSize(cw);
            } else if (b instanceof TransposeConvBlock t) {
                total += t.macs(ch, cw);
                ch *= 2;
                cw *= 2;
            }
        }
        return total;
    }

    /** Output size along one axis for an input of {@code size}. */
    long outSize(long size) {
        long s = size;
        for (Module b : blocks) {
            if (b instanceof ConvBlock cb) s = cb.outSize(s);
            else if (b instanceof TransposeConvBlock) s *= 2;
        }
        return s;
    }
}
