package dev.loupe.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.loupe.tensor.Module;
import dev.loupe.tensor.nn.Conv2d;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Latents to tokens ({@code pos_embed}): a patch x patch convolution with stride patch, flattened row-major, plus
 * fixed 2-D sin-cos positions. The positions are not weights (diffusers keeps them as a non-persistent buffer), so
 * they are computed here, once per grid size.
 *
 * <p>PixArt's position grid: coordinate {@code i} of a grid of {@code n} becomes {@code i / (n / baseSize) /
 * interpolationScale}, where {@code baseSize} is the configured grid ({@code sample_size / patch}). A grid of the
 * trained size therefore spans 0..baseSize/interpolationScale (PixArt-α 256 and 512: scale 1; 1024: scale 2, so
 * its 64 x 64 grid spans the same 0..32 range as 512's), and other sizes are stretched onto that range.
 */
public final class PatchEmbed extends Module {
    private final Conv2d proj;
    private final int patch;
    private final int dim;
    private final int baseSize;
    private final double interpolationScale;
    private final Map<Long, NDArray> positions = new ConcurrentHashMap<>();

    public PatchEmbed(NDManager manager, int inChannels, int dim, int patch, int sampleSize, double interpolationScale) {
        super(manager);
        this.patch = patch;
        this.dim = dim;
        this.baseSize = sampleSize / patch;
        this.interpolationScale = interpolationScale;
        proj = child("proj", new Conv2d(manager, inChannels, dim, patch, patch, 0, 1, true));
    }

    /** [B, C, H, W] latents to [B, (H/p)(W/p), D] tokens. */
    public NDArray forward(NDArray latents) {
        Shape s = latents.getShape();
        int h = (int) (s.get(2) / patch);
        int w = (int) (s.get(3) / patch);
        NDArray x = proj.forward(latents); // [B, D, h, w]
        x = x.reshape(s.get(0), dim, (long) h * w).transpose(0, 2, 1); // [B, h*w, D]
        return x.add(positions(h, w));
    }

    /** The [1, h*w, D] position table for an h x w grid (cached; owned by the module). */
    public NDArray positions(int h, int w) {
        return positions.computeIfAbsent(((long) h << 32) | w, k -> {
            NDArray table = manager.create(sinCos2d(dim, h, w, baseSize, interpolationScale), new Shape(1, (long) h * w, dim));
            table.setName("pos_embed.pos_embed");
            return table;
        });
    }

    /**
     * diffusers' {@code get_2d_sincos_pos_embed} for an h x w grid, row-major tokens: the first half of the
     * channels encodes the column coordinate, the second half the row coordinate, each as [sin | cos] of the
     * coordinate times 1 / 10000^(k / (D/4)). Grid coordinates are float32 as in numpy; the rest double.
     */
    public static float[] sinCos2d(int dim, int h, int w, int baseSize, double interpolationScale) {
        int quarter = dim / 4;
        double[] omega = new double[quarter];
        for (int k = 0; k < quarter; k++) omega[k] = 1.0 / Math.pow(10000, k / (dim / 4.0));
        float[] out = new float[h * w * dim];
        for (int r = 0; r < h; r++) {
            float row = gridCoordinate(r, h, baseSize, interpolationScale);
            for (int c = 0; c < w; c++) {
                float col = gridCoordinate(c, w, baseSize, interpolationScale);
                int base = (r * w + c) * dim;
                for (int k = 0; k < quarter; k++) {
                    double a = col * omega[k];
                    double b = row * omega[k];
                    out[base + k] = (float) Math.sin(a);
                    out[base + quarter + k] = (float) Math.cos(a);
                    out[base + 2 * quarter + k] = (float) Math.sin(b);
                    out[base + 3 * quarter + k] = (float) Math.cos(b);
                }
            }
        }
        return out;
    }

    private static float gridCoordinate(int i, int n, int baseSize, double interpolationScale) {
        return (float) i / (float) ((double) n / baseSize) / (float) interpolationScale;
    }
}
