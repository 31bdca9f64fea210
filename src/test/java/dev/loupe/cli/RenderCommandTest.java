package dev.loupe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import dev.loupe.diffusion.PixArtConfig;
import dev.loupe.diffusion.PromptEncoderConfig;
import dev.loupe.diffusion.TextToImageConfig;
import dev.loupe.diffusion.TextToImageModel;
import dev.loupe.ecad.Heuristics;
import dev.loupe.models.LoupeHome;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The render verb on a tiny randomly initialised model (and once on the shipped model, if present). */
class RenderCommandTest {
    static final String PROMPT = "a red circle and a blue square on a striped gray background";
    static final int BLOCKS = 2;
    static final int STEPS = 4;

    @TempDir
    static Path shared;
    static Path model;

    static MacsCommandTest.Result run(String... args) {
        return MacsCommandTest.run(args);
    }

    @BeforeAll
    static void tinyModel() throws Exception {
        model = shared.resolve("tiny-dit");
        try (NDManager nd = NDManager.newBaseManager()) {
            TextToImageConfig config = new TextToImageConfig(PixArtConfig.of(2, 8, BLOCKS, 3, 3, 32, 8, 16),
                    PromptEncoderConfig.of(16, 1, 2, 24), new TextToImageConfig.SamplerSettings(STEPS, 3.0, 1.0));
            JsonObject card = new JsonObject();
            card.addProperty("name", "tiny-dit");
            new TextToImageModel(nd, config).save(model, card);
        }
    }

    static BufferedImage png(Path file) throws Exception {
        BufferedImage image = ImageIO.read(file.toFile());
        assertTrue(image != null, file + " is a PNG");
        return image;
    }

    @Test
    void rendersOnePromptUpscaledAndPrintsTheTime(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("x.png");
        MacsCommandTest.Result r = run("render", "--model", model.toString(), "--prompt", PROMPT, "--scale", "3", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().matches("(?s)rendered 1 image, 4 steps, guidance 3 in \\d+\\.\\d{3} s.*"), r.out());
        BufferedImage image = png(out);
        assertEquals(96, image.getWidth());
        assertEquals(96, image.getHeight());
        assertEquals(image.getRGB(0, 0), image.getRGB(2, 2), "nearest neighbour: each pixel is a 3x3 block");
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file left behind");
        }
    }

    @Test
    void withAScheduleAlsoRendersUncachedAndPrintsSpeedupAndPsnr(@TempDir Path dir) throws Exception {
        Path schedule = dir.resolve("fora2.json");
        Heuristics.fora(STEPS, BLOCKS, 2).toFile().write(schedule);
        Path out = dir.resolve("cached.png");
        MacsCommandTest.Result r = run("render", "--model", model.toString(), "--prompt", PROMPT, "--schedule", schedule.toString(),
                "--repeats", "2", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        Matcher m = Pattern.compile("uncached\\s+(\\d+\\.\\d+) s").matcher(r.out());
        assertTrue(m.find(), r.out());
        Matcher c = Pattern.compile("speedup (\\d+\\.\\d+)x\\s+PSNR (\\d+\\.\\d) dB").matcher(r.out());
        assertTrue(c.find(), r.out());
        assertTrue(Double.parseDouble(c.group(1)) > 0);
        assertTrue(Double.parseDouble(c.group(2)) < 100, "a cached render differs from the uncached one");
        assertEquals(256, png(out).getWidth());
    }

    @Test
    void allRecomputeScheduleMatchesUncachedExactly(@TempDir Path dir) throws Exception {
        Path schedule = dir.resolve("none.json");
        Heuristics.noCache(STEPS, BLOCKS).toFile().write(schedule);
        MacsCommandTest.Result r = run("render", "--model", model.toString(), "--prompt", PROMPT, "--schedule", schedule.toString(),
                "--repeats", "1", "--out", dir.resolve("x.png").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("PSNR 100.0 dB"), "identical images: " + r.out());
    }

    @Test
    void severalPromptsAndSeedsMakeALabelledSheet(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("grid.png");
        MacsCommandTest.Result r = run("render", "--model", model.toString(), "--prompt", PROMPT, "--prompt", "a yellow star",
                "--seeds", "3", "--scale", "2", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("rendered 6 images"), r.out());
        BufferedImage sheet = png(out);
        assertTrue(sheet.getWidth() >= 3 * 64 && sheet.getHeight() > 2 * 64, sheet.getWidth() + "x" + sheet.getHeight());
    }

    @Test
    void badInputGetsOneClearLine(@TempDir Path dir) throws Exception {
        String out = dir.resolve("x.png").toString();
        MacsCommandTest.Result unknown = run("render", "--model", model.toString(), "--prompt", "a red cirle", "--out", out);
        assertEquals(1, unknown.code());
        assertTrue(unknown.err().startsWith("loupe: caption \"a red cirle\": unknown word \"cirle\""), unknown.err());
        Path wrong = dir.resolve("wrong.json");
        Heuristics.fora(20, 28, 2).toFile().write(wrong);
        MacsCommandTest.Result mismatch = run("render", "--model", model.toString(), "--prompt", PROMPT, "--schedule", wrong.toString(), "--out", out);
        assertEquals(1, mismatch.code());
        assertTrue(mismatch.err().contains("20 steps x 28 blocks") && mismatch.err().contains("4 steps x 2 blocks"), mismatch.err());
        MacsCommandTest.Result noModel = run("render", "--model", dir.resolve("missing").toString(), "--prompt", PROMPT, "--out", out);
        assertEquals(1, noModel.code());
        assertTrue(noModel.err().contains("model.json"), noModel.err());
        MacsCommandTest.Result badStop = run("render", "--model", model.toString(), "--prompt", PROMPT, "--guidance-stop", "1.5", "--out", out);
        assertEquals(1, badStop.code());
        assertTrue(badStop.err().startsWith("loupe: the guidance stop is a time in [0, 1], got 1.5"), badStop.err());
        assertFalse(Files.exists(Path.of(out)), "nothing written on failure");
    }

    @Test
    void theGuidanceStopLeavesTheLastStepsUnguided(@TempDir Path dir) throws Exception {
        MacsCommandTest.Result r = run("render", "--model", model.toString(), "--prompt", PROMPT, "--guidance-stop", "0.6",
                "--out", dir.resolve("stopped.png").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("rendered 1 image, 4 steps, guidance 3 above t = 0.6 in "), r.out());
        assertFalse(Arrays.equals(pixels(png(dir.resolve("stopped.png"))), pixels(renderedWithoutStop(dir))),
                "the last steps without guidance change the image");
    }

    private static BufferedImage renderedWithoutStop(Path dir) throws Exception {
        Path plain = dir.resolve("plain.png");
        assertEquals(0, run("render", "--model", model.toString(), "--prompt", PROMPT, "--out", plain.toString()).code());
        return png(plain);
    }

    private static int[] pixels(BufferedImage image) {
        return image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
    }

    @Test
    void theShippedModelRendersTheExamplePrompt(@TempDir Path dir) throws Exception {
        Path shipped = LoupeHome.sampleModels().resolve(RenderCommand.MODEL);
        assumeTrue(Files.isRegularFile(shipped.resolve("model.json")), "the sample model is not in this checkout");
        Path out = dir.resolve("x.png");
        MacsCommandTest.Result r = run("render", "--prompt", PROMPT, "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(256, png(out).getWidth());
    }
}
