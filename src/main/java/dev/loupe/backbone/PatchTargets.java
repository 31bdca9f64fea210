package dev.loupe.backbone;

/**
 * The sample ViT's training targets: for every patch, the share of its pixels in each class of the class mask
 * (the mask average-pooled over the patch), so that boundary patches ask for a mix.
 */
public final class PatchTargets {
    private PatchTargets() {}

    /**
     * @param masks   class ids {@code [B,S,S]} row-major, each in {@code 0..classes-1}
     * @return {@code [B, (S/patch)^2, classes]} row-major patch order, each row summing to 1
     */
    public static float[] classShares(long[] masks, int batch, int size, int patch, int classes) {
        if (size % patch != 0) throw new IllegalArgumentException("size " + size + " is not a multiple of the patch " + patch);
        if (masks.length != (long) batch * size * size) {
            throw new IllegalArgumentException("expected " + batch + " masks of " + size + "x" + size + ", got " + masks.length + " values");
        }
        int grid = size / patch;
        float[] out = new float[batch * grid * grid * classes];
        float share = 1f / (patch * patch);
        for (int b = 0; b < batch; b++) {
            int maskBase = b * size * size;
            for (int y = 0; y < size; y++) {
                int rowBase = ((b * grid) + y / patch) * grid;
                for (int x = 0; x < size; x++) {
                    int c = (int) masks[maskBase + y * size + x];
                    if (c < 0 || c >= classes) throw new IllegalArgumentException("class id " + c + " outside 0.." + (classes - 1));
                    out[(rowBase + x / patch) * classes + c] += share;
                }
            }
        }
        return out;
    }

    /** The class with the largest share of each patch (ties to the lower id): {@code [B*(S/patch)^2]}. */
    public static long[] majority(float[] shares, int classes) {
        long[] out = new long[shares.length / classes];
        for (int i = 0; i < out.length; i++) {
            int best = 0;
            for (int c = 1; c < classes; c++) if (shares[i * classes + c] > shares[i * classes + best]) best = c;
            out[i] = best;
        }
        return out;
    }
}
