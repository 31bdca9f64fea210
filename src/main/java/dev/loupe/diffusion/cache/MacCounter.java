package dev.loupe.diffusion.cache;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Counts the multiply-accumulates of a PixArt-style transformer under a cache schedule, analytically (no forward
 * pass), one forward call per denoising step for the whole batch.
 *
 * <p>Two figures per step, kept apart:
 * <ul>
 *   <li><b>weight MACs</b>: every linear layer and convolution that actually runs, rows x in x out. Outside the
 *       blocks these run every step: the patch-embedding convolution, the timestep MLP (and, when size-conditioned,
 *       the resolution and aspect-ratio MLPs), adaLN-single's linear, the caption projection and {@code proj_out}.
 *       Inside a block, a component's projections count only when it is computed: attn1's q, k, v, out over the
 *       image tokens; attn2's q and out over the image tokens and k, v over the caption tokens; ff's two layers.
 *       This is exactly what ECAD's published figures hold (calflops counts {@code nn.Linear} and {@code nn.Conv2d}
 *       modules and not the functional attention), step by step.</li>
 *   <li><b>attention MACs</b>: the two matrix products of every computed attention, Q K^T and A V
 *       (2 x B x queries x keys x width; masked caption tokens still cost, as a plain matmul runs them).</li>
 * </ul>
 * A component counts as computed when its bit says recompute or when it has never been computed in the run
 * (ECAD's fallback, which makes step 0 always full).
 */
public final class MacCounter {
    private final DitDimensions dims;
    private final long batch;
    private final long captionTokens;
    private final long tokens;

    /** At the trained latent size ({@code sampleSize} x {@code sampleSize}). */
    public MacCounter(DitDimensions dims, int batch, int captionTokens) {
        this(dims, batch, captionTokens, dims.sampleSize(), dims.sampleSize());
    }

    public MacCounter(DitDimensions dims, int batch, int captionTokens, int latentHeight, int latentWidth) {
        if (batch <= 0) throw new IllegalArgumentException("the batch size must be positive, not " + batch);
        if (captionTokens <= 0) throw new IllegalArgumentException("the caption length must be positive, not " + captionTokens);
        if (latentHeight <= 0 || latentWidth <= 0 || latentHeight % dims.patchSize() != 0 || latentWidth % dims.patchSize() != 0) {
            throw new IllegalArgumentException("latents of " + latentHeight + " x " + latentWidth
                    + " are not a positive multiple of the patch size " + dims.patchSize());
        }
        this.dims = dims;
        this.batch = batch;
        this.captionTokens = captionTokens;
        this.tokens = (long) (latentHeight / dims.patchSize()) * (latentWidth / dims.patchSize());
    }

    public DitDimensions dimensions() {
        return dims;
    }

    public long batch() {
        return batch;
    }

    public long captionTokens() {
        return captionTokens;
    }

    /** Image tokens per sample. */
    public long imageTokens() {
        return tokens;
    }

    /** Weight MACs that every step pays, whatever the schedule (everything outside the three components). */
    public long fixedWeightMacs() {
        long d = dims.hidden();
        long t = DitDimensions.TIMESTEP_CHANNELS;
        long p = dims.patchSize();
        long macs = batch * tokens * d * dims.inChannels() * p * p; // pos_embed.proj
        macs += batch * (t * d + d * d); // adaln_single.emb.timestep_embedder
        if (dims.sizeConditioned()) {
            long third = d / 3;
            macs += 3 * batch * (t * third + third * third); // resolution (2 values) and aspect-ratio embedders
        }
        macs += batch * d * 6 * d; // adaln_single.linear
        if (dims.captionChannels() > 0) {
            macs += batch * captionTokens * ((long) dims.captionChannels() * d + d * d); // caption_projection
        }
        macs += batch * tokens * d * p * p * dims.outChannels(); // proj_out
        return macs;
    }

    /** Weight MACs of one block's component when it runs. */
    public long weightMacs(Component c) {
        long d = dims.hidden();
        return switch (c) {
            case ATTN1 -> batch * tokens * 4 * d * d;
            case ATTN2 -> batch * (2 * tokens * d * d + 2 * captionTokens * dims.crossAttentionDim() * d);
            case FF -> batch * tokens * 2 * d * dims.ffInner();
        };
    }

    /** Q K^T and A V MACs of one block's component when it runs (0 for ff). */
    public long attentionMacs(Component c) {
        long d = dims.hidden();
        return switch (c) {
            case ATTN1 -> 2 * batch * tokens * tokens * d;
            case ATTN2 -> 2 * batch * tokens * captionTokens * d;
            case FF -> 0;
        };
    }

    /** The cost of one step, with how many blocks computed each component. */
    public record Step(int step, Map<Component, Integer> computed, long weightMacs, long attentionMacs) {
        public long totalMacs() {
            return weightMacs + attentionMacs;
        }
    }

    /** Per-step costs and totals of a whole run. */
    public record Run(List<Step> steps) {
        public Run {
            steps = List.copyOf(steps);
        }

        public long weightMacs() {
            return steps.stream().mapToLong(Step::weightMacs).sum();
        }

        public long attentionMacs() {
            return steps.stream().mapToLong(Step::attentionMacs).sum();
        }

        public long totalMacs() {
            return weightMacs() + attentionMacs();
        }
    }

    /** Every step of a run under {@code schedule}, with ECAD's step-0 fallback. */
    public Run count(CacheSchedule schedule) {
        if (schedule.blocks() != dims.blocks()) {
            throw new IllegalArgumentException("a schedule for " + schedule.blocks() + " blocks does not fit a model of "
                    + dims.blocks() + " blocks");
        }
        boolean[][] everComputed = new boolean[dims.blocks()][CacheSchedule.COMPONENTS];
        List<Step> steps = new ArrayList<>();
        for (int s = 0; s < schedule.steps(); s++) {
            Map<Component, Integer> computed = new EnumMap<>(Component.class);
            long weight = fixedWeightMacs();
            long attention = 0;
            for (Component c : Component.values()) {
                int n = 0;
                for (int b = 0; b < dims.blocks(); b++) {
                    if (schedule.recompute(s, b, c) || !everComputed[b][c.ordinal()]) {
                        everComputed[b][c.ordinal()] = true;
                        n++;
                    }
                }
                computed.put(c, n);
                weight += n * weightMacs(c);
                attention += n * attentionMacs(c);
            }
            steps.add(new Step(s, computed, weight, attention));
        }
        return new Run(steps);
    }

    /** {@code steps} uncached steps. */
    public Run uncached(int steps) {
        return count(CacheSchedule.noCache(steps, dims.blocks()));
    }
}
