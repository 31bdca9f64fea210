package dev.loupe.upsample.peers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.loupe.tensor.Images;
import dev.loupe.tensor.Resize;
import dev.loupe.tensor.nn.Conv2d;
import java.util.ArrayList;
import java.util.List;

/**
 * A JAFAR-style global cross-attention upsampler (Couairon et al., 2025): single-shot, any output size.
 * <pre>
 *   E = encoder(image)                                       [B,D,H,W]   full image resolution
 *   queries: E pooled to the output size, normalised, 1x1 conv  [B,qk,outH,outW]
 *   keys:    E pooled to the feature grid, normalised, modulated by the features (SFT:
 *            x (1 + gamma(F)) + beta(F), F normalised), 1x1 conv   [B,qk,h,w]
 *   values:  the features F themselves                        [B,C,h,w]
 *   out[p] = sum_j a(p, j) F[j],  a = mean over heads of softmax_j(q_p . k_j / sqrt(d))   (2-D RoPE on q and k)
 * </pre>
 * Every output is a convex mix of all input tokens: cost and the attention matrix grow with
 * {@code (outH x outW) x (h x w)}. Queries are processed in chunks of output rows so that the matrix of one chunk
 * stays under {@link #chunkBytes}; time still grows with both. Keys: {@code encoder.*}, {@code key_mod.gamma.*},
 * {@code key_mod.beta.*}, {@code to_q.*}, {@code to_k.*}.
 */
public final class CrossAttention extends PeerModule<XattnConfig> {
    /** The default budget of one chunk's attention temporaries. */
    public static final long DEFAULT_CHUNK_BYTES = 64L << 20;

    private final XattnEncoder encoder;
    private final Conv2d gamma;
    private final Conv2d beta;
    private final Conv2d toQuery;
    private final Conv2d toKey;
    private final RotaryPositions rope;
    private long chunkBytes = DEFAULT_CHUNK_BYTES;

    public CrossAttention(NDManager manager, XattnConfig config) {
        super(manager, config);
        encoder = child("encoder", new XattnEncoder(manager, config.imageDim(), config.blocks()));
        gamma = child("key_mod.gamma", new Conv2d(manager, config.channels(), config.imageDim(), 1, true));
        beta = child("key_mod.beta", new Conv2d(manager, config.channels(), config.imageDim(), 1, true));
        toQuery = child("to_q", new Conv2d(manager, config.imageDim(), config.qkDim(), 1, true));
        toKey = child("to_k", new Conv2d(manager, config.imageDim(), config.qkDim(), 1, true));
        rope = new RotaryPositions(config.headDim());
    }

    /** Bytes one query chunk's attention temporaries may take in inference; {@code Long.MAX_VALUE}: no chunking. */
    public void chunkBytes(long bytes) {
        if (bytes < 1) throw new IllegalArgumentException("chunk budget must be positive, got " + bytes);
        chunkBytes = bytes;
    }

    /** Output rows per chunk for an output {@code outW} wide over {@code tokens} keys (at least 1). */
    int rowsPerChunk(long batch, int outH, int outW, long tokens) {
        // logits and their softmax per head, the head mean: about 3 x heads x rows x outW x tokens floats
        long perRow = 3L * batch * config.heads() * outW * tokens * Float.BYTES;
        return (int) Math.max(1, Math.min(outH, chunkBytes / Math.max(1, perRow)));
    }

    @Override
    public List<NDArray> forwardSteps(NDArray image, NDArray features, int steps) {
        checkInputs(image, features);
        NDArray e = encoder.forward(Images.normalizeImageNet(image));
        Prepared p = prepare(e, features);
        List<NDArray> out = new ArrayList<>();
        int h = (int) features.getShape().get(2);
        int w = (int) features.getShape().get(3);
        for (int i = 1; i <= steps; i++) {
            NDArray q = queryFeatures(e, h << i, w << i);
            out.add(attendRows(q, p, 0, h << i, h, w));
        }
        return out;
    }

    /** Keys (with positions) and values, computed once per image. */
    private record Prepared(NDArray keys, NDArray values) {}

    /** encoder output {@code [B,D,H,W]}, features {@code [B,C,h,w]}: keys {@code [B,heads,hw,d]} and values {@code [B,hw,C]}. */
    private Prepared prepare(NDArray encoded, NDArray features) {
        Shape f = features.getShape();
        long b = f.get(0);
        int h = (int) f.get(2);
        int w = (int) f.get(3);
        NDArray pooled = pool(encoded, h, w);
        NDArray modulated;
        try (NDArray normFeatures = channelNorm(features); NDArray g = gamma.forward(normFeatures); NDArray bt = beta.forward(normFeatures);
                NDArray normPooled = channelNorm(pooled); NDArray scale = g.add(1f); NDArray scaled = normPooled.mul(scale)) {
            modulated = scaled.add(bt); // SFT: x (1 + gamma) + beta
        }
        if (pooled != encoded) pooled.close();
        NDArray keys;
        try (modulated; NDArray k = toKey.forward(modulated)) {
            keys = heads(k, b, h * w); // [B,heads,hw,d]
        }
        float[][] grid = RotaryPositions.tokenGrid(h, w);
        NDArray rotated;
        try (keys) {
            rotated = rope.rotate(keys, grid[0], grid[1]);
        }
        NDArray values = features.reshape(b, f.get(1), (long) h * w).transpose(0, 2, 1); // [B,hw,C]
        return new Prepared(rotated, values);
    }

    /** {@code [B,qk,rows,cols]} to {@code [B,heads,rows*cols,d]}. */
    private NDArray heads(NDArray x, long b, long n) {
        try (NDArray r = x.reshape(b, config.heads(), config.headDim(), n)) { // [B,heads,d,N]
            return r.transpose(0, 1, 3, 2);
        }
    }

    /** The encoder's features at the output size (average-pooled; the same array when sizes agree). */
    private static NDArray queryFeatures(NDArray encoded, int outH, int outW) {
        return pool(encoded, outH, outW);
    }

    private static NDArray pool(NDArray x, int h, int w) {
        if (x.getShape().get(2) == h && x.getShape().get(3) == w) return x;
        return Resize.antialiased(x, h, w, Resize.Filter.AREA);
    }

    /**
     * Output rows {@code r0..r1-1} of an output as tall as {@code queryMap} (the query features at the output size):
     * {@code [B,C,r1-r0,outW]}.
     */
    private NDArray attendRows(NDArray queryMap, Prepared p, int r0, int r1, int h, int w) {
        Shape s = queryMap.getShape();
        long b = s.get(0);
        int outH = (int) s.get(2);
        int outW = (int) s.get(3);
        long n = (long) (r1 - r0) * outW;
        NDArray rows = r0 == 0 && r1 == outH ? queryMap : queryMap.get(new NDIndex(":, :, {}:{}", r0, r1));
        NDArray q;
        try (NDArray normed = channelNorm(rows); NDArray projected = toQuery.forward(normed); NDArray split = heads(projected, b, n)) {
            float[][] pos = RotaryPositions.pixelRows(r0, r1, outH, outW, h, w);
            q = rope.rotate(split, pos[0], pos[1]); // [B,heads,n,d]
        }
        if (rows != queryMap) rows.close();
        NDArray mixed;
        try (q; NDArray kt = p.keys().transpose(0, 1, 3, 2); NDArray logits = q.matMul(kt); // [B,heads,n,hw]
                NDArray scaled = logits.mul((float) (1 / Math.sqrt(config.headDim()))); NDArray attention = scaled.softmax(-1);
                NDArray averaged = attention.mean(new int[] {1})) { // [B,n,hw]
            mixed = averaged.matMul(p.values()); // [B,n,C]
        }
        try (mixed; NDArray t = mixed.transpose(0, 2, 1)) {
            return t.reshape(b, config.channels(), r1 - r0, outW);
        }
    }

    /** Each position's channel vector standardised (LayerNorm over channels without affine). */
    static NDArray channelNorm(NDArray x) {
        try (NDArray mean = x.mean(new int[] {1}, true); NDArray centred = x.sub(mean); NDArray sq = centred.square();
                NDArray var = sq.mean(new int[] {1}, true); NDArray eps = var.add(1e-6f); NDArray std = eps.sqrt()) {
            return centred.div(std);
        }
    }

    /**
     * The inference form: features {@code [B,C,h,w]} to {@code [B,C,outH,outW]}, guided by the RGB image, queries in
     * chunks of output rows ({@link #chunkBytes}). Result in the features' manager; temporaries released.
     */
    @Override
    public NDArray upsample(NDArray image, NDArray features, int outH, int outW) {
        checkInputs(image, features);
        if (isTraining()) throw new IllegalStateException("the model is in training mode; inference needs eval mode");
        NDManager target = features.getManager();
        Shape f = features.getShape();
        int h = (int) f.get(2);
        int w = (int) f.get(3);
        NDArray out = target.zeros(new Shape(f.get(0), f.get(1), outH, outW), DataType.FLOAT32);
        try (NDManager scope = target.newSubManager()) {
            image.tempAttach(scope);
            features.tempAttach(scope);
            NDArray queryMap;
            Prepared p;
            try (NDArray normalised = Images.normalizeImageNet(image)) {
                NDArray e = encoder.forward(normalised);
                p = prepare(e, features);
                queryMap = queryFeatures(e, outH, outW);
                if (queryMap != e) e.close();
            }
            int step = rowsPerChunk(f.get(0), outH, outW, (long) h * w);
            for (int r0 = 0; r0 < outH; r0 += step) {
                int r1 = Math.min(outH, r0 + step);
                try (NDManager chunk = scope.newSubManager()) {
                    queryMap.tempAttach(chunk);
                    p.keys().tempAttach(chunk);
                    p.values().tempAttach(chunk);
                    try (NDArray rows = attendRows(queryMap, p, r0, r1, h, w)) {
                        out.set(new NDIndex(":, :, {}:{}", r0, r1), rows);
                    }
                }
            }
        }
        return out;
    }

    private void checkInputs(NDArray image, NDArray features) {
        PeerInputs.check(image, features, config.channels(), "cross-attention");
    }

    /**
     * Multiply-accumulates for one image {@code H x W} with features {@code h x w} to an output {@code outH x outW}:
     * encoder, projections, q.k and the value mix (softmax and norms not counted).
     */
    public long macs(int imageH, int imageW, int h, int w, int outH, int outW) {
        long hw = (long) h * w;
        long out = (long) outH * outW;
        return encoder.macs(imageH, imageW) + gamma.macs(h, w) + beta.macs(h, w) + toKey.macs(h, w) + toQuery.macs(outH, outW)
                + out * hw * config.qkDim() + out * hw * config.channels();
    }
}
