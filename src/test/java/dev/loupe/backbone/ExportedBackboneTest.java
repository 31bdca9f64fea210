package dev.loupe.backbone;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.loupe.LoupeException;
import dev.loupe.tensor.SafeTensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TorchScript and ONNX backbones against the outputs PyTorch gave for the same tiny model (make_tiny_backbones.py). */
class ExportedBackboneTest {
    static final Path DIR = Path.of("src/test/resources/backbones");

    @Test
    void torchScriptMatchesPyTorch() {
        check(TorchScriptBackbone::open, DIR.resolve("tiny_backbone.pt"));
    }

    @Test
    void onnxMatchesPyTorch() {
        check(OnnxBackbone::open, DIR.resolve("tiny_backbone.onnx"));
    }

    private static void check(Function<Path, ? extends Backbone> open, Path file) {
        try (Backbone backbone = open.apply(file); NDManager m = NDManager.newBaseManager()) {
            assertEquals("tiny test backbone", backbone.name());
            assertEquals(4, backbone.patchSize());
            assertEquals(8, backbone.channels());
            assertEquals(32, backbone.preferredSize());
            assertArrayEquals(new float[] {0.5f, 0.4f, 0.3f}, backbone.normalisation().mean());
            assertArrayEquals(new float[] {0.2f, 0.25f, 0.3f}, backbone.normalisation().std());
            Map<String, NDArray> expected = SafeTensors.read(DIR.resolve("expected.safetensors"), m);
            NDArray image = expected.get("image");
            NDArray features = backbone.extract(image);
            assertEquals(new Shape(2, 8, 6, 10), features.getShape());
            assertEquals(m, features.getManager(), "features live in the image's manager");
            assertArrayEquals(expected.get("features").toFloatArray(), features.toFloatArray(), 1e-4f);
            assertTrue(features.add(1).getShape().equals(features.getShape()), "outputs take part in tensor operations");
            assertFalse(image.isReleased(), "the caller's image stays usable");
        }
    }

    @Test
    void withoutSidecarDinov2DefaultsApply(@TempDir Path tmp) throws IOException {
        Path copy = Files.copy(DIR.resolve("tiny_backbone.pt"), tmp.resolve("model.pt"));
        BackboneMetadata meta = BackboneMetadata.forModel(copy);
        assertEquals(14, meta.patchSize());
        assertEquals(448, meta.preferredSize());
        assertEquals(Backbone.Normalisation.IMAGENET, meta.normalisation());
        // the tiny model has patch 4, so the first run at 448 px (32 x 32 tokens instead of 112) is refused clearly
        LoupeException e = assertThrows(LoupeException.class, () -> TorchScriptBackbone.open(copy));
        assertTrue(e.getMessage().contains("patch size 14") && e.getMessage().contains("model.pt.json"), e.getMessage());
    }

    @Test
    void stemSidecarIsFoundToo(@TempDir Path tmp) throws IOException {
        Path copy = Files.copy(DIR.resolve("tiny_backbone.onnx"), tmp.resolve("vit.onnx"));
        Files.writeString(tmp.resolve("vit.json"), "{\"patch_size\": 4, \"preferred_size\": 16}");
        try (Backbone b = OnnxBackbone.open(copy)) {
            assertEquals(4, b.patchSize());
            assertEquals(16, b.preferredSize());
            assertEquals(8, b.channels());
            assertEquals("vit.onnx", b.name());
        }
    }

    @Test
    void tokensInsteadOfAMapAreExplained(@TempDir Path tmp) throws IOException {
        Path copy = Files.copy(DIR.resolve("tiny_tokens.pt"), tmp.resolve("tokens.pt"));
        Files.writeString(tmp.resolve("tokens.pt.json"), "{\"patch_size\": 4, \"preferred_size\": 32}");
        LoupeException e = assertThrows(LoupeException.class, () -> TorchScriptBackbone.open(copy));
        assertTrue(e.getMessage().contains("(1, 64, 8)") && e.getMessage().contains("reshape"), e.getMessage());
    }

    @Test
    void wrongChannelCountInSidecarIsRefused(@TempDir Path tmp) throws IOException {
        Path copy = Files.copy(DIR.resolve("tiny_backbone.pt"), tmp.resolve("m.pt"));
        Files.writeString(tmp.resolve("m.pt.json"), "{\"patch_size\": 4, \"preferred_size\": 32, \"channels\": 384}");
        LoupeException e = assertThrows(LoupeException.class, () -> TorchScriptBackbone.open(copy));
        assertTrue(e.getMessage().contains("8 channels") && e.getMessage().contains("384"), e.getMessage());
    }

    @Test
    void filesThatAreNotModelsGetOneLine(@TempDir Path tmp) throws IOException {
        Path junk = Files.writeString(tmp.resolve("junk.pt"), "not a model");
        LoupeException pt = assertThrows(LoupeException.class, () -> TorchScriptBackbone.open(junk));
        assertTrue(pt.getMessage().startsWith(junk + " is not a TorchScript model"), pt.getMessage());
        assertFalse(pt.getMessage().contains("\n"), pt.getMessage());
        Path junkOnnx = Files.writeString(tmp.resolve("junk.onnx"), "not a model");
        LoupeException onnx = assertThrows(LoupeException.class, () -> OnnxBackbone.open(junkOnnx));
        assertTrue(onnx.getMessage().startsWith(junkOnnx + " is not an ONNX model"), onnx.getMessage());
        LoupeException missing = assertThrows(LoupeException.class, () -> OnnxBackbone.open(tmp.resolve("none.onnx")));
        assertTrue(missing.getMessage().endsWith("no such file"), missing.getMessage());
    }

    @Test
    void badSidecarsNameFileAndKey(@TempDir Path tmp) throws IOException {
        Path model = Files.copy(DIR.resolve("tiny_backbone.pt"), tmp.resolve("b.pt"));
        for (String[] c : new String[][] {
                {"{\"patch_size\": 0}", "patch_size must be a positive integer"},
                {"{\"mean\": [0.5, 0.5]}", "mean must be a list of 3 numbers"},
                {"{\"std\": [0.5, 0, 0.5]}", "std values must be positive"},
                {"{\"patch_size\": 4, \"preferred_size\": 30}", "not a multiple of patch_size 4"},
                {"[1, 2]", "expected a JSON object"},
                {"{oops", "is not valid JSON"}}) {
            Files.writeString(tmp.resolve("b.pt.json"), c[0]);
            LoupeException e = assertThrows(LoupeException.class, () -> BackboneMetadata.forModel(model));
            assertTrue(e.getMessage().startsWith(tmp.resolve("b.pt.json").toString()) && e.getMessage().contains(c[1]), e.getMessage());
        }
    }

    @Test
    void inputThatIsNotWholePatchesIsRefused() {
        try (Backbone b = TorchScriptBackbone.open(DIR.resolve("tiny_backbone.pt")); NDManager m = NDManager.newBaseManager()) {
            LoupeException e = assertThrows(LoupeException.class, () -> b.extract(m.zeros(new Shape(1, 3, 30, 32))));
            assertTrue(e.getMessage().contains("multiples of its patch (4 px)"), e.getMessage());
        }
    }
}
