package dev.loupe.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.function.Function;

/**
 * How close an image stays to a reference (a cached render to the uncached one): PSNR, and a distance between
 * backbone features. Both are batched: {@code [B, 3, H, W]} images in [0, 1], one value per image.
 */
public final class Fidelity {
    /**
     * PSNR of identical images. The true value is infinite; a finite ceiling keeps means and search objectives
     * usable. 100 dB is what an MSE of 1e-10 gives, far below 8-bit quantisation (about 59 dB for one level).
     */
    public static final double MAX_PSNR_DB = 100;

    /** Distances between feature vectors. */
    public enum Distance {
        /** 1 - cosine similarity, in [0, 2]. */
        COSINE,
        /** Euclidean distance. */
        L2
    }

    private Fidelity() {}

    /** PSNR in dB of each image against its reference (peak 1), capped at {@link #MAX_PSNR_DB}. */
    public static double[] psnr(NDArray images, NDArray references) {
        checkSameShape(images, references);
        long b = images.getShape().get(0);
        try (NDManager scope = images.getManager().newSubManager()) {
            // [B, ...] -> [B, N] -> mean squared error [B]
            NDArray a = inScope(images, scope).reshape(b, -1);
            NDArray r = inScope(references, scope).reshape(b, -1);
            float[] mse = a.sub(r).square().mean(new int[] {1}).toFloatArray();
            double[] out = new double[(int) b];
            for (int i = 0; i < out.length; i++) out[i] = psnrOfMse(mse[i]);
            return out;
        }
    }

    /** The mean over the batch of {@link #psnr}. */
    public static double meanPsnr(NDArray images, NDArray references) {
        return mean(psnr(images, references));
    }

    static double psnrOfMse(double mse) {
        if (!(mse >= 0)) return Double.NaN;
        return Math.min(MAX_PSNR_DB, -10 * Math.log10(mse));
    }

    /**
     * Distance between the features {@code extractor} gives for each image and for its reference. Features may be
     * {@code [B, C]} (one vector per image) or {@code [B, C, ...]} (a vector per position, e.g. patch tokens
     * {@code [B, C, h, w]}): the distance is then taken per position and averaged over positions. A zero vector
     * has cosine distance 1 to anything but another zero vector (0).
     */
    public static double[] featureDistance(NDArray images, NDArray references, Function<NDArray, NDArray> extractor,
                                           Distance distance) {
        checkSameShape(images, references);
        try (NDManager scope = images.getManager().newSubManager()) {
            NDArray fa = extractor.apply(inScope(images, scope));
            NDArray fb = extractor.apply(inScope(references, scope));
            fa.attach(scope);
            fb.attach(scope);
            if (!fa.getShape().equals(fb.getShape())) {
                throw new IllegalArgumentException("the feature extractor gave " + fa.getShape() + " for the images but "
                        + fb.getShape() + " for the references");
            }
            Shape s = fa.getShape();
            if (s.dimension() < 2 || s.get(0) != images.getShape().get(0)) {
                throw new IllegalArgumentException("features must be [B, C] or [B, C, ...] for a batch of "
                        + images.getShape().get(0) + ", got " + s);
            }
            long b = s.get(0);
            long c = s.get(1);
            // [B, C, ...] -> [B, C, P]: one C-vector per position
            NDArray a = fa.toType(DataType.FLOAT32, false).reshape(b, c, -1);
            NDArray r = fb.toType(DataType.FLOAT32, false).reshape(b, c, -1);
            NDArray perPosition; // [B, P]
            if (distance == Distance.L2) {
                perPosition = a.sub(r).square().sum(new int[] {1}).sqrt();
            } else {
                NDArray dot = a.mul(r).sum(new int[] {1});
                NDArray na = a.square().sum(new int[] {1}).sqrt();
                NDArray nr = r.square().sum(new int[] {1}).sqrt();
                NDArray bothZero = na.eq(0f).logicalAnd(nr.eq(0f)).toType(DataType.FLOAT32, false);
                NDArray cos = dot.div(na.mul(nr).maximum(1e-12f)).add(bothZero);
                perPosition = cos.neg().add(1f);
            }
            float[] values = perPosition.mean(new int[] {1}).toFloatArray();
            double[] out = new double[values.length];
            for (int i = 0; i < out.length; i++) out[i] = values[i];
            return out;
        }
    }

    /** A float32 copy of {@code x} in {@code scope}, so that everything computed from it is freed with the scope. */
    private static NDArray inScope(NDArray x, NDManager scope) {
        NDArray copy = x.toType(DataType.FLOAT32, true);
        copy.attach(scope);
        return copy;
    }

    public static double mean(double[] values) {
        double sum = 0;
        for (double v : values) sum += v;
        return values.length == 0 ? Double.NaN : sum / values.length;
    }

    private static void checkSameShape(NDArray images, NDArray references) {
        if (!images.getShape().equals(references.getShape())) {
            throw new IllegalArgumentException("images " + images.getShape() + " and references " + references.getShape()
                    + " differ in shape");
        }
        if (images.getShape().dimension() != 4) {
            throw new IllegalArgumentException("expected image batches [B, 3, H, W], got " + images.getShape());
        }
    }
}
