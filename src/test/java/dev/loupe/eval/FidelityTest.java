package dev.loupe.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class FidelityTest {
    @Test
    void psnrPerImageFollowsTheMeanSquaredError() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray reference = m.randomUniform(0.2f, 0.8f, new Shape(3, 3, 8, 8));
            // image 0 equal, image 1 off by 0.1 everywhere, image 2 off by 0.01 on a quarter of the values
            float[] offsets = new float[3 * 3 * 8 * 8];
            for (int i = 3 * 64; i < 6 * 64; i++) offsets[i] = 0.1f;
            for (int i = 6 * 64; i < 9 * 64; i += 4) offsets[i] = 0.01f;
            NDArray images = reference.add(m.create(offsets, reference.getShape()));
            long before = m.getManagedArrays().size();
            double[] psnr = Fidelity.psnr(images, reference);
            assertEquals(before, m.getManagedArrays().size(), "psnr leaves no arrays behind");
            assertEquals(Fidelity.MAX_PSNR_DB, psnr[0]);
            assertEquals(10 * Math.log10(1 / (0.1 * 0.1)), psnr[1], 1e-3);
            assertEquals(10 * Math.log10(1 / (0.01 * 0.01 / 4)), psnr[2], 1e-2);
            assertEquals((psnr[0] + psnr[1] + psnr[2]) / 3, Fidelity.meanPsnr(images, reference), 1e-9);
        }
    }

    /** A stand-in backbone: 2x2 average pooling to [B, 3, H/2, W/2] "patch features". */
    private static final Function<NDArray, NDArray> POOL = x -> x.reshape(x.getShape().get(0), 3, x.getShape().get(2) / 2, 2,
            x.getShape().get(3) / 2, 2).mean(new int[] {5}).mean(new int[] {3});

    @Test
    void featureDistanceWithAStandInBackbone() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.randomUniform(0.1f, 1f, new Shape(2, 3, 8, 8));
            NDArray scaled = a.mul(2f);
            double[] cosine = Fidelity.featureDistance(a, scaled, POOL, Fidelity.Distance.COSINE);
            assertEquals(0, cosine[0], 1e-6);
            assertEquals(0, cosine[1], 1e-6);
            double[] l2 = Fidelity.featureDistance(a, scaled, POOL, Fidelity.Distance.L2);
            // per position, |2f - f| = |f|: the mean over positions of the feature norms
            NDArray f = POOL.apply(a).reshape(2, 3, -1);
            float[] norms = f.square().sum(new int[] {1}).sqrt().mean(new int[] {1}).toFloatArray();
            assertEquals(norms[0], l2[0], 1e-5);
            assertEquals(norms[1], l2[1], 1e-5);

            // orthogonal one-hot colours: cosine distance 1; opposite vectors: 2
            NDArray red = m.zeros(new Shape(1, 3, 2, 2)).add(m.create(new float[] {1, 0, 0}, new Shape(1, 3, 1, 1)));
            NDArray green = m.zeros(new Shape(1, 3, 2, 2)).add(m.create(new float[] {0, 1, 0}, new Shape(1, 3, 1, 1)));
            assertEquals(1, Fidelity.featureDistance(red, green, POOL, Fidelity.Distance.COSINE)[0], 1e-6);
            assertEquals(2, Fidelity.featureDistance(red, red.neg(), POOL, Fidelity.Distance.COSINE)[0], 1e-6);
            assertEquals(Math.sqrt(2), Fidelity.featureDistance(red, green, POOL, Fidelity.Distance.L2)[0], 1e-6);
            NDArray black = m.zeros(new Shape(1, 3, 2, 2));
            assertEquals(0, Fidelity.featureDistance(black, black, POOL, Fidelity.Distance.COSINE)[0], 1e-6);
            assertEquals(1, Fidelity.featureDistance(black, red, POOL, Fidelity.Distance.COSINE)[0], 1e-6);

            // global features [B, C]
            Function<NDArray, NDArray> global = x -> x.reshape(x.getShape().get(0), 3, -1).mean(new int[] {2});
            assertEquals(1, Fidelity.featureDistance(red, green, global, Fidelity.Distance.COSINE)[0], 1e-6);
        }
    }

    @Test
    void mismatchedShapesAreRefused() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.zeros(new Shape(2, 3, 8, 8));
            NDArray b = m.zeros(new Shape(1, 3, 8, 8));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Fidelity.psnr(a, b));
            assertTrue(e.getMessage().contains("(2, 3, 8, 8)") && e.getMessage().contains("(1, 3, 8, 8)"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> Fidelity.featureDistance(a, a, x -> x.sum(), Fidelity.Distance.L2));
        }
    }
}
