package dev.loupe.upsample;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Random;

/** A stand-in backbone and data for training tests: fast, deterministic, and with structure worth upsampling. */
public final class TrainingFixtures {
    private TrainingFixtures() {}

    /** Patch embedding of 8x8 patches into 16 channels with fixed (seeded) weights, normalised per token like a ViT's output. */
    public static UpsamplerTrainer.Backbone patchEmbedding(NDManager m) {
        Random r = new Random(11);
        float[] w = new float[16 * 3 * 8 * 8];
        for (int i = 0; i < w.length; i++) w[i] = (float) r.nextGaussian() * 0.2f;
        NDArray weight = m.create(w, new Shape(16, 3, 8, 8));
        return images -> {
            NDArray f = ai.djl.nn.convolutional.Conv2d.conv2d(images, weight, null, new Shape(8, 8), new Shape(0, 0),
                    new Shape(1, 1), 1).singletonOrThrow();
            return f.sub(f.mean(new int[] {1}, true)).div(f.sub(f.mean(new int[] {1}, true)).square().mean(new int[] {1}, true).add(1e-5f).sqrt());
        };
    }

    /** Batches of coloured rectangles on a gradient; the same batch for the same step (cycling through 4). */
    public static NDArray batch(NDManager m, long step, int size, int n) {
        Random r = new Random(step % 4);
        float[] px = new float[n * 3 * size * size];
        for (int b = 0; b < n; b++) {
            float[] bg = {r.nextFloat(), r.nextFloat(), r.nextFloat()};
            for (int c = 0; c < 3; c++) for (int y = 0; y < size; y++) for (int x = 0; x < size; x++) {
                px[((b * 3 + c) * size + y) * size + x] = bg[c] * (0.5f + 0.5f * x / size);
            }
            for (int k = 0; k < 3; k++) {
                int x0 = r.nextInt(size - 8), y0 = r.nextInt(size - 8), x1 = x0 + 4 + r.nextInt(size - x0 - 4), y1 = y0 + 4 + r.nextInt(size - y0 - 4);
                float[] col = {r.nextFloat(), r.nextFloat(), r.nextFloat()};
                for (int c = 0; c < 3; c++) for (int y = y0; y < y1; y++) for (int x = x0; x < x1; x++) px[((b * 3 + c) * size + y) * size + x] = col[c];
            }
        }
        return m.create(px, new Shape(n, 3, size, size));
    }
}
