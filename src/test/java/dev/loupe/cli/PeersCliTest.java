package dev.loupe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.loupe.models.ModelCard;
import dev.loupe.upsample.Upsampler;
import dev.loupe.upsample.Upsamplers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** train upsampler and bench upsamplers, end to end on a tiny sample ViT and tiny runs. */
class PeersCliTest {
    @TempDir Path dir;

    static final List<String> PEERS = List.of("lift", "jbu", "xattn");

    @Test
    void trainsCardedPeersAndBenchesThemAgainstUplift() throws IOException {
        Path vit = TrainBackboneCommandTest.trainTiny(dir.resolve("vit"));
        Path models = dir.resolve("models");
        for (String kind : PEERS) {
            Path out = models.resolve("sample-" + kind);
            Cli.Result r = Cli.run("train", "upsampler", "--kind", kind, "--backbone", vit.toString(), "--steps", "2", "--batch", "2",
                    "--eval-scenes", "2", "--probe-scenes", "2", "--out", out.toString());
            assertEquals(0, r.exitCode(), r.err());
            ModelCard card = ModelCard.read(out);
            card.verify();
            assertEquals("upsampler", card.kind());
            assertEquals(kind, card.json().get("upsampler").getAsString());
            assertEquals("./loupe train upsampler --kind " + kind + " --backbone " + vit + " --steps 2 --out " + out
                    + " --eval-scenes 2 --probe-scenes 2 --batch 2", card.reproduce());
            JsonObject held = card.metrics().getAsJsonObject("held_out");
            double miou = held.get("dense_probe_miou").getAsDouble();
            assertTrue(miou >= 0 && miou <= 1, kind + " mIoU " + miou);
            assertTrue(held.get("reconstruction_mse_2x").getAsDouble() > 0, kind);
            assertEquals(2, card.json().getAsJsonObject("training_time").get("steps").getAsInt());
            assertEquals(256, card.json().getAsJsonObject("data").get("image_size").getAsInt(), "the shared recipe's size");
            try (Upsampler u = Upsamplers.open(out.toString(), 32, 16, "tiny"); NDManager m = NDManager.newBaseManager()) {
                NDArray dense = u.upsample(m.randomUniform(0, 1, new Shape(1, 3, 64, 64)), m.randomNormal(new Shape(1, 32, 4, 4)), 64, 64);
                assertEquals(new Shape(1, 32, 64, 64), dense.getShape());
                assertEquals(card.json().get("parameters").getAsLong(), u.parameterCount());
            }
        }
        Cli.Result up = Cli.run("train", "uplift", "--backbone", vit.toString(), "--steps", "2", "--batch", "2", "--eval-scenes", "2",
                "--out", models.resolve("sample-uplift").toString());
        assertEquals(0, up.exitCode(), up.err());

        Path bench = dir.resolve("bench");
        Cli.Result r = Cli.run("bench", "upsamplers", "--backbone", vit.toString(), "--models", models.toString(), "--sizes", "32,64",
                "--runs", "2", "--warmup", "0", "--memory", "in-process", "--scenes", "2", "--probe-scenes", "2", "--backbone-zooms", "2", "--out", bench.toString());
        assertEquals(0, r.exitCode(), r.err());
        String md = Files.readString(bench.resolve("upsamplers.md"));
        for (String name : List.of("bilinear", "nearest", "uplift", "lift", "jbu", "xattn")) {
            assertTrue(md.contains("\n| " + name + " | "), name + " row in\n" + md);
            assertTrue(r.out().contains("| " + name + " | "), "printed table");
        }
        assertTrue(md.contains("| method | params | mIoU | boundary F | rec. MSE 2x | rec. MSE 4x | ms 32 | ms 64 | MB 32 | MB 64 |"), md);
        assertTrue(r.out().contains("Time ratio xattn / uplift (wall / CPU): 32 px "), r.out());
        assertTrue(r.out().contains("Time growth exponent in pixels"), r.out());
        // the allocator's page size changes large outputs' times several-fold, so the report says which it was
        assertTrue(md.contains(dev.loupe.eval.UpsamplerBench.hugePageTensors(System.getenv(dev.loupe.eval.UpsamplerBench.HUGE_PAGE_SWITCH)) ? "on transparent huge pages" : "on ordinary pages"), md);
        assertTrue(md.contains("| reference | mIoU | boundary F | rec. MSE 2x | rec. MSE 4x |\n|---|---:|---:|---:|---:|\n| backbone at 2x | "), md);
        assertTrue(r.out().contains("| backbone at 2x | "), "printed reference table");
        assertTrue(md.contains("--backbone-zooms 2 --out"), "the command in the report");
        JsonObject json = JsonParser.parseString(Files.readString(bench.resolve("upsamplers.json"))).getAsJsonObject();
        JsonObject first = json.getAsJsonArray("backbones").get(0).getAsJsonObject();
        assertEquals(6, first.getAsJsonArray("rows").size(), "the reference is not a method row");
        JsonObject reference = first.getAsJsonArray("backbone_references").get(0).getAsJsonObject();
        assertEquals(2, reference.get("zoom").getAsInt());
        double referenceMiou = reference.getAsJsonObject("quality").get("dense_probe_miou").getAsDouble();
        assertTrue(referenceMiou >= 0 && referenceMiou <= 1, reference.toString());
        JsonObject xattn = first.getAsJsonArray("rows").get(5).getAsJsonObject();
        assertEquals("xattn", xattn.get("method").getAsString());
        assertEquals(2, xattn.getAsJsonArray("cells").get(1).getAsJsonObject().getAsJsonArray("runs_ms").size());
        assertTrue(xattn.getAsJsonObject("quality").get("dense_probe_miou").getAsDouble() >= 0);
        JsonObject byDistance = xattn.getAsJsonObject("quality").getAsJsonObject("dense_probe_error_by_boundary_distance");
        double boundaryErrors = byDistance.get("0 px").getAsDouble();
        assertTrue(boundaryErrors >= 0 && boundaryErrors <= 1, byDistance.toString());
        assertTrue(xattn.getAsJsonObject("quality").getAsJsonObject("dense_probe_iou_per_class").has("background"));
        assertTrue(md.contains("| method | background | circle | square |"), md);
        assertTrue(md.contains("| method | 0 px | 1–2 px | 3–5 px | 6–10 px | 11+ px |"), md);
        assertTrue(md.contains("| method | plain | gradient | striped |"), md);
        JsonObject quality = xattn.getAsJsonObject("quality");
        JsonObject byBackground = quality.getAsJsonObject("dense_probe_miou_by_background");
        java.util.Set<String> kinds = new java.util.TreeSet<>();
        for (long seed = 0; seed < 2; seed++) kinds.add(dev.loupe.world.ShapesWorld.scene(seed).background().kind().word());
        assertEquals(kinds, new java.util.TreeSet<>(byBackground.keySet()), "a column for each kind the scored scenes have");
        for (String kind : kinds) {
            double miou = byBackground.get(kind).getAsDouble();
            assertTrue(miou >= 0 && miou <= 1, byBackground.toString());
        }
        // seeds 0 and 1 have a gradient and a plain background: one scene each, two figures
        assertEquals(2, kinds.size(), byBackground.toString());
        assertTrue(md.contains("(1 plain, 1 gradient and 0 striped scenes;"), md);
        assertTrue(md.contains("\n| xattn | " + String.format(java.util.Locale.ROOT, "%.3f", byBackground.get("plain").getAsDouble()) + " | "
                + String.format(java.util.Locale.ROOT, "%.3f", byBackground.get("gradient").getAsDouble()) + " | n/a |\n"), md);
        String slug = first.get("backbone").getAsString().replaceAll("[^A-Za-z0-9.-]+", "-").replaceAll("^-+|-+$", "");
        assertEquals(900, ImageIO.read(bench.resolve("time-" + slug + ".png").toFile()).getWidth());
        assertTrue(Files.isRegularFile(bench.resolve("memory-" + slug + ".png")));
    }

    @Test
    void measuresMemoryInAFreshJvmPerMethodAndSize() throws IOException {
        Path bench = dir.resolve("random");
        Cli.Result r = Cli.run("bench", "upsamplers", "--backbone", "dinov2-s14-random", "--methods", "nearest,xattn", "--sizes", "42",
                "--runs", "1", "--warmup", "0", "--out", bench.toString());
        assertEquals(0, r.exitCode(), r.err());
        JsonObject json = JsonParser.parseString(Files.readString(bench.resolve("upsamplers.json"))).getAsJsonObject();
        JsonObject backbone = json.getAsJsonArray("backbones").get(0).getAsJsonObject();
        assertEquals(384, backbone.get("channels").getAsInt());
        for (var row : backbone.getAsJsonArray("rows")) {
            JsonObject cell = row.getAsJsonObject().getAsJsonArray("cells").get(0).getAsJsonObject();
            assertFalse(cell.has("error"), cell.toString());
            assertTrue(cell.get("baseline_mb").getAsDouble() > 50, "the child's resident memory before the call: " + cell);
            assertTrue(cell.get("peak_mb").getAsDouble() >= 0, cell.toString());
        }
        assertTrue(Files.readString(bench.resolve("upsamplers.md")).contains("in a fresh JVM"));
        assertTrue(r.out().contains("Time growth exponent in pixels: needs at least two sizes."), r.out());
        assertFalse(r.out().contains("NaN"), "one size has no slope to print: " + r.out());
    }

    @Test
    void badRequestsGetOneClearLine() {
        Cli.Result r = Cli.run("train", "upsampler", "--kind", "uplift", "--steps", "1", "--out", dir.resolve("x").toString());
        assertEquals(1, r.exitCode());
        assertTrue(r.userErr().contains("loupe train uplift"), r.err());
        r = Cli.run("train", "upsampler", "--kind", "bicubic", "--out", dir.resolve("x").toString());
        assertEquals(1, r.exitCode());
        assertTrue(r.userErr().contains("unknown upsampler kind 'bicubic'"), r.err());
        r = Cli.run("bench", "upsamplers", "--methods", "bilinear,bicubic", "--out", dir.resolve("b").toString());
        assertEquals(1, r.exitCode());
        assertTrue(r.userErr().contains("unknown method 'bicubic' in --methods (use uplift, bilinear, nearest, lift, jbu, xattn)"), r.err());
        r = Cli.run("bench", "upsamplers", "--backbone", "dinov2-s14-random", "--sizes", "40", "--out", dir.resolve("b").toString());
        assertEquals(1, r.exitCode());
        assertTrue(r.userErr().contains("not a multiple of the backbone's patch 14"), r.err());
        r = Cli.run("bench", "upsamplers", "--backbone", "dinov2-s14-random", "--sizes", "42", "--memory", "somewhere", "--out", dir.resolve("b").toString());
        assertEquals(2, r.exitCode());
        assertFalse(Files.exists(dir.resolve("x")));
    }
}
