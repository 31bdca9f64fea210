package dev.loupe.world;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WorldBatchTest {
    @Test
    void batchHoldsTheRenderedScenesAsTensors() {
        try (NDManager nd = NDManager.newBaseManager(); WorldBatch batch = WorldBatch.render(nd, 40, 3, 48)) {
            assertEquals(new Shape(3, 3, 48, 48), batch.images().getShape());
            assertEquals(DataType.FLOAT32, batch.images().getDataType());
            assertEquals(new Shape(3, 48, 48), batch.classMasks().getShape());
            assertEquals(DataType.INT64, batch.classMasks().getDataType());
            assertEquals(DataType.INT64, batch.instanceMasks().getDataType());
            float[] images = batch.images().toFloatArray();
            long[] classes = batch.classMasks().toLongArray();
            long[] instances = batch.instanceMasks().toLongArray();
            int pixels = 48 * 48;
            for (int b = 0; b < 3; b++) {
                RenderedScene scene = ShapesWorld.render(40 + b, 48);
                assertEquals(scene.caption(), batch.captions().get(b));
                assertEquals(scene.spec(), batch.scenes().get(b));
                for (int y = 0; y < 48; y += 5) {
                    for (int x = 0; x < 48; x += 3) {
                        int p = y * 48 + x;
                        int rgb = scene.rgbAt(x, y);
                        for (int c = 0; c < 3; c++) {
                            float expected = (rgb >> (16 - 8 * c) & 0xff) / 255f;
                            assertEquals(expected, images[(b * 3 + c) * pixels + p], 0f);
                        }
                        assertEquals(scene.classAt(x, y), classes[b * pixels + p]);
                        assertEquals(scene.instanceAt(x, y), instances[b * pixels + p]);
                    }
                }
            }
        }
    }

    @Test
    void rangeCoversEverySeedOnceInBatches() {
        try (NDManager nd = NDManager.newBaseManager()) {
            List<Long> sizes = new ArrayList<>();
            List<String> captions = new ArrayList<>();
            for (WorldBatch batch : WorldBatch.range(nd, 10, 15, 2, 32)) {
                try (batch) {
                    sizes.add(batch.images().getShape().get(0));
                    captions.addAll(batch.captions());
                }
            }
            assertEquals(List.of(2L, 2L, 1L), sizes);
            List<String> expected = new ArrayList<>();
            for (long seed = 10; seed < 15; seed++) expected.add(ShapesWorld.scene(seed).caption());
            assertEquals(expected, captions);
        }
    }

    @Test
    void atSizesRendersTheSameScenesAtEachSize() {
        try (NDManager nd = NDManager.newBaseManager()) {
            List<WorldBatch> batches = WorldBatch.atSizes(nd, 3, 2, 32, 64, 128);
            long[] sides = batches.stream().mapToLong(b -> b.images().getShape().get(3)).toArray();
            assertArrayEquals(new long[] {32, 64, 128}, sides);
            for (WorldBatch b : batches) {
                assertEquals(batches.get(0).scenes(), b.scenes());
                b.close();
            }
        }
    }
}
