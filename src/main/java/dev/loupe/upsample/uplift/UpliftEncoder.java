package dev.loupe.upsample.uplift;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.loupe.tensor.Module;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * UPLiFT's image encoder: groups {@code block_0 .. block_D} with optional {@code down_i} steps between them; every
 * group's output is kept, and the decoder takes them from the deepest one back. In the released configurations
 * there is no downsampling, so all outputs have the (pre-scaled) image's resolution.
 */
final class UpliftEncoder extends Module {
    private final List<BlockGroup> blocks = new ArrayList<>();
    private final List<DownBlock> downs = new ArrayList<>();
    private final int[] outChannels;

    UpliftEncoder(NDManager manager, int in, UpliftConfig.Encoder cfg) {
        super(manager);
        int c = in;
        outChannels = new int[cfg.downSteps() + 1];
        for (int i = 0; i <= cfg.downSteps(); i++) {
            if (i > 0) downs.add(child("down_" + i, new DownBlock(manager, c, cfg.downs().get(i - 1))));
            BlockGroup g = child("block_" + i, new BlockGroup(manager, c, cfg.blocks().get(i)));
            blocks.add(g);
            c = g.outChannels();
            outChannels[i] = c;
        }
    }

    /** Channel width of each output, shallowest first. */
    int[] outChannels() {
        return outChannels.clone();
    }

    /** image {@code [B,3,H,W]} to one feature map per group, shallowest first. */
    List<NDArray> forward(NDArray image) {
        List<NDArray> out = new ArrayList<>();
        NDArray x = image;
        for (int i = 0; i < blocks.size(); i++) {
            if (i > 0) x = downs.get(i - 1).forward(x);
            x = blocks.get(i).forward(x);
            out.add(x);
        }
        return out;
    }

    /** The inference form; {@code keep[i]} says which outputs the caller needs (the others are released early). */
    Compiled compile(NDManager target) {
        List<UnaryOperator<NDArray>> blockOps = new ArrayList<>();
        List<UnaryOperator<NDArray>> downOps = new ArrayList<>();
        for (BlockGroup g : blocks) blockOps.add(g.compile(target));
        for (DownBlock d : downs) downOps.add(d.compile(target));
        return (image, keep) -> {
            List<NDArray> out = new ArrayList<>();
            NDArray previous = null; // the previous group's output, ours to release unless kept
            for (int i = 0; i < blockOps.size(); i++) {
                NDArray in = i == 0 ? image : downOps.get(i - 1).apply(previous);
                NDArray y = blockOps.get(i).apply(in);
                if (i > 0) {
                    if (in != previous) in.close(); // a down block's temporary
                    if (!keep[i - 1]) previous.close();
                }
                out.add(keep[i] ? y : null);
                previous = y;
            }
            if (!keep[blockOps.size() - 1]) previous.close();
            return out;
        };
    }

    @FunctionalInterface
    interface Compiled {
        /** Outputs shallowest first; entries not kept are null. */
        List<NDArray> apply(NDArray image, boolean[] keep);
    }

    long macs(long h, long w) {
        long total = 0;
        long ch = h;
        long cw = w;
        for (int i = 0; i < blocks.size(); i++) {
            if (i > 0) {
                total += downs.get(i - 1).macs(ch, cw);
                ch = downs.get(i - 1).outSize(ch);
                cw = downs.get(i - 1).outSize(cw);
            }
            total += blocks.get(i).macs(ch, cw);
            ch = blocks.get(i).outSize(ch);
            cw = blocks.get(i).outSize(cw);
        }
        return total;
    }
}
