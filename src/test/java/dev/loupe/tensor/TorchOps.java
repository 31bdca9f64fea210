package dev.loupe.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Map;

/** PyTorch reference outputs for the tensor helpers (fixtures/torch-ops/README.md). */
public final class TorchOps {
    private TorchOps() {}

    public static Map<String, NDArray> read(NDManager m) {
        try {
            Path p = Path.of(TorchOps.class.getResource("/fixtures/torch-ops/torch_ops.safetensors").toURI());
            return SafeTensors.read(p, m);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public static float maxAbsDiff(NDArray a, NDArray b) {
        if (!a.getShape().equals(b.getShape())) throw new AssertionError("shape " + a.getShape() + " != " + b.getShape());
        return a.sub(b).abs().max().getFloat();
    }
}
