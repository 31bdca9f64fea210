package dev.loupe.upsample.uplift;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.loupe.tensor.SafeTensors;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Map;

/** The reference fixtures (official implementation, random weights): see fixtures/uplift-reference/README.md. */
final class Fixtures {
    private Fixtures() {}

    static Path dir() {
        try {
            return Path.of(Fixtures.class.getResource("/fixtures/uplift-reference/README.md").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Path weights() {
        return dir().resolve("uplift_weights_seed1.safetensors");
    }

    static Path io() {
        return dir().resolve("uplift_io_seed1.safetensors");
    }

    static Map<String, NDArray> readIo(NDManager m) {
        return SafeTensors.read(io(), m);
    }

    static float maxAbsDiff(NDArray a, NDArray b) {
        if (!a.getShape().equals(b.getShape())) throw new AssertionError("shape " + a.getShape() + " != " + b.getShape());
        return a.sub(b).abs().max().getFloat();
    }
}
