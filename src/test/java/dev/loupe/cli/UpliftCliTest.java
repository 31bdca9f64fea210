package dev.loupe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.loupe.tensor.SafeTensors;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The real commands on the reference fixtures and at a tiny benchmark size. */
class UpliftCliTest {
    @TempDir Path dir;

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        CommandLine cl = LoupeCommand.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    static Path fixture(String name) {
        try {
            return Path.of(UpliftCliTest.class.getResource("/fixtures/uplift-reference/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static float diff(NDArray a, NDArray b) {
        assertEquals(b.getShape(), a.getShape());
        return a.sub(b).abs().max().getFloat();
    }

    @Test
    void applyReproducesTheReferenceTensors() throws IOException {
        Path io = fixture("uplift_io_seed1.safetensors");
        Path all = dir.resolve("all.safetensors");
        Run r = run("uplift", "apply", "--weights", fixture("uplift_weights_seed1.safetensors").toString(), "--config", "dinov2-s14",
                "--image", io + "#wide.image", "--features", io + "#wide.features", "--iters", "3", "--all-steps", "--out", all.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("step3 (1, 384, 32, 48)"), r.out());
        Path last = dir.resolve("last.safetensors");
        r = run("uplift", "apply", "--weights", fixture("uplift_weights_seed1.safetensors").toString(),
                "--image", io + "#square.image", "--features", io + "#square.features", "--iters", "2", "--out", last.toString());
        assertEquals(0, r.code(), r.err());
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> expected = SafeTensors.read(io, m);
            Map<String, NDArray> got = SafeTensors.read(all, m);
            assertEquals(java.util.Set.of("step1", "step2", "step3"), got.keySet());
            for (int i = 1; i <= 3; i++) assertTrue(diff(got.get("step" + i), expected.get("wide.step" + i)) < 1e-4f, "step " + i);
            Map<String, NDArray> one = SafeTensors.read(last, m);
            assertEquals(java.util.Set.of("out"), one.keySet());
            assertTrue(diff(one.get("out"), expected.get("square.step2")) < 1e-4f);
        }
    }

    @Test
    void applyAcceptsAnImageFileAndResizesToOutsize() throws IOException {
        Path png = dir.resolve("guide.png");
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(56, 56, java.awt.image.BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 56; y++) for (int x = 0; x < 56; x++) img.setRGB(x, y, (x * 4) << 16 | (y * 4) << 8);
        ImageIO.write(img, "png", png.toFile());
        Path io = fixture("uplift_io_seed1.safetensors");
        Path out = dir.resolve("o.safetensors");
        // square.features are 8x8 tokens; the image only guides, its size need not match 8 x 14
        Run r = run("uplift", "apply", "--weights", fixture("uplift_weights_seed1.safetensors").toString(), "--image", png.toString(),
                "--features", io + "#square.features", "--iters", "1", "--outsize", "12,20", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(new ai.djl.ndarray.types.Shape(1, 384, 12, 20), SafeTensors.shapes(out).get("out"));
    }

    @Test
    void badInputGetsOneClearLine() throws IOException {
        Path io = fixture("uplift_io_seed1.safetensors");
        String weights = fixture("uplift_weights_seed1.safetensors").toString();
        Path out = dir.resolve("never.safetensors");
        Run r = run("uplift", "apply", "--weights", weights, "--image", io + "#square.image", "--features", io + "#nope",
                "--iters", "2", "--out", out.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("loupe: ") && r.err().contains("no tensor 'nope'") && r.err().contains("square.image"), r.err());
        r = run("uplift", "apply", "--weights", io.toString(), "--image", io + "#square.image", "--features", io + "#square.features",
                "--iters", "2", "--out", out.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("does not fit the model") && r.err().contains("missing keys"), r.err());
        r = run("uplift", "apply", "--weights", weights, "--image", io + "#square.image", "--features", io + "#square.features",
                "--iters", "2", "--all-steps", "--outsize", "4,4", "--out", out.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("--outsize and --all-steps"), r.err());
        assertTrue(!Files.exists(out), "nothing written on failure");
    }

    @Test
    void benchPrintsItsTableAndWritesAPlot() throws IOException {
        Path png = dir.resolve("bench.png");
        Run r = run("bench", "uplift", "--sizes", "28,56", "--runs", "1", "--warmup", "0", "--plot", png.toString());
        assertEquals(0, r.code(), r.err());
        String[] lines = r.out().split("\n");
        assertTrue(lines[1].contains("median ms") && lines[1].contains("peak MB") && lines[1].contains("GMACs"), r.out());
        assertTrue(lines[2].trim().startsWith("28px") && lines[2].contains("32px"), r.out()); // 2 tokens -> 4 steps -> 32
        assertTrue(lines[3].trim().startsWith("56px") && lines[3].contains(" 16 "), r.out());
        assertEquals(800, ImageIO.read(png.toFile()).getWidth());
    }
}
