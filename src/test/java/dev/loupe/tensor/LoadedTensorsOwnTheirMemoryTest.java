package dev.loupe.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.loupe.tensor.nn.Linear;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** libtorch wraps direct buffers without copying: loaded weights and views of read tensors must not dangle. */
class LoadedTensorsOwnTheirMemoryTest {
    @TempDir Path dir;

    @Test
    void loadedWeightsSurviveTheLoaderAndTheGarbageCollector() throws Exception {
        Path file = dir.resolve("w.safetensors");
        try (NDManager nd = NDManager.newBaseManager()) {
            float[] w = new float[64 * 32];
            for (int i = 0; i < w.length; i++) w[i] = (i % 17) * 0.25f - 2f;
            SafeTensors.write(file, Map.of("weight", nd.create(w, new Shape(64, 32)), "bias", nd.zeros(new Shape(64))));
            Linear layer = new Linear(nd, 32, 64);
            layer.load(file, k -> false);
            NDArray view;
            try (NDManager scratch = nd.newSubManager()) {
                view = SafeTensors.read(file, scratch).get("weight").reshape(-1);
                view.attach(nd);
            }
            for (int i = 0; i < 5; i++) {
                System.gc();
                byte[][] churn = new byte[64][];
                for (int j = 0; j < churn.length; j++) churn[j] = new byte[1 << 16];
                Thread.sleep(20);
            }
            assertArrayEquals(w, layer.weight().array().toFloatArray());
            assertArrayEquals(w, view.toFloatArray());
        }
    }
}
