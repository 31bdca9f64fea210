package dev.loupe.upsample.uplift;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.loupe.LoupeException;
import dev.loupe.tensor.SafeTensors;
import dev.loupe.tensor.WeightMismatchException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Configuration, checkpoint layout and the attender's neighbourhoods. */
class UpliftModelTest {
    @TempDir Path dir;

    @Test
    void dinov2ModelHasTheOfficialKeysAndParameterCount() {
        try (NDManager m = NDManager.newBaseManager()) {
            Uplift model = new Uplift(m, UpliftConfig.named("dinov2-s14"));
            Map<String, Shape> official = SafeTensors.shapes(Fixtures.weights());
            assertEquals(new TreeSet<>(official.keySet()), new TreeSet<>(model.stateDict().keySet()));
            model.stateDict().forEach((k, v) -> assertEquals(official.get(k), v.getShape(), k));
            assertEquals(789_521, model.parameterCount());
        }
    }

    @Test
    void savedCheckpointKeepsBatchCountersAndReloadsToTheSameFunction() throws IOException {
        Path file = dir.resolve("w.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            Uplift official = Uplift.load(m, UpliftConfig.named("dinov2-s14"), Fixtures.weights());
            official.save(file);
            assertTrue(SafeTensors.shapes(file).containsKey("encoder.block_0.blocks.0.conv.1.num_batches_tracked"));
            Uplift again = Uplift.load(m, UpliftConfig.named("dinov2-s14"), file);
            Map<String, NDArray> io = Fixtures.readIo(m);
            NDArray out = again.forward(io.get("square.image"), io.get("square.features"), 1).get(0);
            assertTrue(Fixtures.maxAbsDiff(out, io.get("square.step1")) < 1e-4f);
        }
    }

    @Test
    void aCheckpointForAnotherArchitectureListsEveryDifference() {
        try (NDManager m = NDManager.newBaseManager()) {
            UpliftConfig dino = UpliftConfig.named("dinov2-s14");
            String yaml = dino.toJson().replace("\"attender\": 17", "\"attender\": 9");
            UpliftConfig nine = UpliftConfig.parse(yaml, "nine.json");
            WeightMismatchException e = assertThrows(WeightMismatchException.class, () -> Uplift.load(m, nine, Fixtures.weights()));
            assertEquals(2, e.misShaped().size(), e.getMessage());
            assertTrue(e.getMessage().contains("attender.conv1.weight"), e.getMessage());
            UpliftConfig vae = UpliftConfig.named("sd15-vae");
            e = assertThrows(WeightMismatchException.class, () -> Uplift.load(m, vae, Fixtures.weights()));
            assertTrue(e.missing().contains("ref_outc.weight"), e.getMessage());
            assertTrue(e.getMessage().startsWith(Fixtures.weights().toString()), e.getMessage());
        }
    }

    @Test
    void configurationsParseAndSurviveAJsonRoundTrip() {
        for (String name : UpliftConfig.NAMES) {
            UpliftConfig c = UpliftConfig.named(name);
            assertEquals(c, UpliftConfig.parse(c.toJson(), name + ".json"), name);
            assertEquals(c, UpliftConfig.load(name), "--config " + name + " finds the shipped configuration");
        }
        assertTrue(UpliftConfig.NAMES.contains(UpliftConfig.SAMPLE_VIT), "the sample ViT's configuration is shipped too");
        UpliftConfig vae = UpliftConfig.named("sd15-vae");
        assertEquals(4, vae.uplift().decoder().ncatC());
        assertEquals(12, vae.uplift().refiner().block0().count());
        assertEquals(UpliftConfig.ImageNorm.UNIT, vae.imageNorm());
        assertEquals(UpliftConfig.ImageNorm.IMAGENET, UpliftConfig.named("dinov2-s14").imageNorm());
    }

    @Test
    void badConfigurationsNameTheFileAndTheKey() {
        String good = UpliftConfig.named("dinov2-s14").toJson();
        LoupeException e = assertThrows(LoupeException.class,
                () -> UpliftConfig.parse(good.replace("\"attender\": 17", "\"attender\": 7"), "my.json"));
        assertTrue(e.getMessage().startsWith("my.json: uplift.attender is 7"), e.getMessage());
        e = assertThrows(LoupeException.class, () -> UpliftConfig.parse(good.replace("\"hc\": [\n          16\n        ]", "\"hc\": []"), "h.json"));
        assertTrue(e.getMessage().contains("uplift.encoder.block_0.hc lists 0 widths"), e.getMessage());
        e = assertThrows(LoupeException.class, () -> UpliftConfig.parse("uplift: [1, 2", "broken.yaml"));
        assertTrue(e.getMessage().startsWith("broken.yaml is not valid YAML or JSON"), e.getMessage());
        e = assertThrows(LoupeException.class, () -> UpliftConfig.parse("backbone: {channel: 4, patch: 8}\n", "short.yaml"));
        assertTrue(e.getMessage().contains("short.yaml: uplift is missing"), e.getMessage());
        e = assertThrows(LoupeException.class, () -> UpliftConfig.load("no-such-config"));
        assertTrue(e.getMessage().contains("dinov2-s14"), e.getMessage());
    }

    @Test
    void sdVaeVariantHasItsRefinerAndAbout53MillionParameters() {
        try (NDManager m = NDManager.newBaseManager()) {
            Uplift vae = new Uplift(m, UpliftConfig.named("sd15-vae"));
            long params = vae.parameterCount();
            assertTrue(params > 53_000_000 && params < 54_000_000, "parameters: " + params);
            assertTrue(vae.stateDict().containsKey("refiner.blocks.11.conv.3.weight"));
            assertTrue(vae.stateDict().containsKey("encoder.block_4.blocks.1.conv.1.weight")); // LayerNorm weight
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {5, 9, 13, 17, 25})
    void everyNeighbourhoodAgreesWithItsDefinitionInBothForms(int n) {
        try (NDManager m = NDManager.newBaseManager()) {
            LocalAttender att = new LocalAttender(m, 32, n);
            int b = 2, c = 3, h = 4, w = 5, f = 4; // batch 2, 4x upsampling (two decoder up steps)
            NDArray guide = m.randomNormal(new Shape(b, 32, h * f, w * f));
            NDArray value = m.randomNormal(new Shape(b, c, h, w));
            float[] p = att.logits(guide).softmax(1).toFloatArray();
            float[] v = value.toFloatArray();
            int[][] off = LocalAttender.offsets(n);
            float[] expected = new float[b * c * h * f * w * f];
            int oh = h * f, ow = w * f;
            for (int s = 0; s < b; s++) for (int ch = 0; ch < c; ch++) for (int y = 0; y < oh; y++) for (int x = 0; x < ow; x++) {
                float sum = 0;
                for (int k = 0; k < n; k++) {
                    int sy = Math.min(Math.max(y / f + off[k][0], 0), h - 1);
                    int sx = Math.min(Math.max(x / f + off[k][1], 0), w - 1);
                    sum += p[((s * n + k) * oh + y) * ow + x] * v[((s * c + ch) * h + sy) * w + sx];
                }
                expected[((s * c + ch) * oh + y) * ow + x] = sum;
            }
            assertArrayEquals(expected, att.forward(guide, value).toFloatArray(), 1e-5f);
            assertArrayEquals(expected, att.compile(m).apply(guide, value).toFloatArray(), 1e-5f);
            assertEquals(n, new java.util.HashSet<>(java.util.Arrays.stream(off).map(o -> o[0] * 10 + o[1]).toList()).size());
        }
    }

    @Test
    void attenderRefusesAGuideThatIsNotAMultipleOfTheValue() {
        try (NDManager m = NDManager.newBaseManager()) {
            LocalAttender att = new LocalAttender(m, 8, 9);
            LoupeException e = assertThrows(LoupeException.class,
                    () -> att.forward(m.zeros(new Shape(1, 8, 9, 8)), m.zeros(new Shape(1, 2, 4, 4))));
            assertTrue(e.getMessage().contains("integer multiple"), e.getMessage());
        }
    }

    @Test
    void macsAreCountedFromTheLayers() {
        try (NDManager m = NDManager.newBaseManager()) {
            Uplift model = new Uplift(m, UpliftConfig.named("dinov2-s14"));
            // encoder at 512x512 (448 pre-scaled): per pixel 3x3 convs 3*16+16*32+32*64+64*128+128*128 times 9,
            // plus the 1x1 convs 16^2+32^2+64^2+128^2+128^2
            long perPixel = 9L * (3 * 16 + 16 * 32 + 32 * 64 + 64 * 128 + 128 * 128) + (16 * 16 + 32 * 32 + 64 * 64 + 128 * 128 + 128 * 128);
            long encoder = perPixel * 512 * 512;
            long total = model.macs(448, 448, 32, 32, 4);
            assertTrue(total > encoder, "the decoder adds to the encoder");
            double g = total / 1e9;
            assertTrue(g > 150 && g < 170, "about 160 GMACs at 448 px, counted " + g);
            assertEquals(4 * model.macs(224, 224, 16, 16, 4), total, total * 0.01, "linear in pixels");
        }
    }

    @Test
    void upsamplerNormalisesChoosesStepsAndResizes() {
        try (NDManager m = NDManager.newBaseManager()) {
            Uplift model = Uplift.load(m, UpliftConfig.named("dinov2-s14"), Fixtures.weights());
            Map<String, NDArray> io = Fixtures.readIo(m);
            try (UpliftUpsampler up = new UpliftUpsampler(model, "uplift")) {
                NDArray rgb = m.randomUniform(0, 1, new Shape(1, 3, 112, 112));
                NDArray out = up.upsample(rgb, io.get("square.features"), 112, 112); // 8 -> 16 -> 32 -> 64 -> 128 -> 112
                assertEquals(new Shape(1, 384, 112, 112), out.getShape());
                NDArray same = model.inference().run(UpliftUpsampler.normalise(rgb, UpliftConfig.ImageNorm.IMAGENET), io.get("square.features"), 4);
                NDArray resized = dev.loupe.tensor.Resize.torchvisionBilinear(same, 112, 112);
                assertTrue(Fixtures.maxAbsDiff(out, resized) < 1e-5f);
                assertEquals(789_521, up.parameterCount());
            }
            assertEquals(4, UpliftUpsampler.stepsFor(32, 448, 2));
            assertEquals(0, UpliftUpsampler.stepsFor(32, 32, 2));
        }
    }

    @Test
    void inferenceFormOfTheVaeVariantRunsWithNoiseAndRefiner() throws IOException {
        // A narrow VAE-like configuration: LayerNorm, noise channels, refiner, raw image
        String yaml = Files.readString(Path.of("src/main/resources/dev/loupe/upsample/uplift/configs/sd15-vae.yaml"))
                .replace("512", "16").replace("256", "16").replace("128", "8").replace("64", "8");
        UpliftConfig small = UpliftConfig.parse(yaml, "small-vae.yaml");
        try (NDManager m = NDManager.newBaseManager()) {
            Uplift model = new Uplift(m, small);
            NDArray image = m.randomUniform(0, 1, new Shape(1, 3, 32, 32));
            NDArray lat = m.randomNormal(new Shape(1, 4, 4, 4));
            ai.djl.engine.Engine.getInstance().setRandomSeed(3);
            NDArray slow = model.forward(image, lat, 2).get(1);
            ai.djl.engine.Engine.getInstance().setRandomSeed(3);
            try (UpliftInference fast = model.inference()) {
                NDArray quick = fast.run(image, lat, 2);
                assertEquals(new Shape(1, 4, 16, 16), quick.getShape());
                assertTrue(Fixtures.maxAbsDiff(slow, quick) < 1e-4f, "same noise, same function");
            }
        }
    }
}
