package dev.loupe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.loupe.diffusion.TextToImageConfig;
import dev.loupe.diffusion.TextToImageModel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code loupe train dit} end to end on a tiny architecture: a model folder that {@code loupe render} reads. */
class TrainDitCommandTest {
    static final TextToImageConfig.SamplerSettings RECIPE_SAMPLER = new TextToImageConfig.SamplerSettings(20, 4, 3,
            TrainDitCommand.DEFAULT_GUIDANCE_STOP);

    @Test
    void trainsWritesACardAndTheModelRenders(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("tiny");
        MacsCommandTest.Result r = RenderCommandTest.run("train", "dit", "--steps", "2", "--batch", "2", "--width", "16",
                "--blocks", "1", "--patch", "8", "--align-block", "1", "--sample-every", "2", "--eval-captions", "8", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("trained 2 steps"), r.out());
        JsonObject card = JsonParser.parseString(Files.readString(out.resolve("model.json"))).getAsJsonObject();
        assertEquals("text-to-image-dit", card.get("kind").getAsString());
        assertTrue(card.get("command").getAsString().startsWith("./loupe train dit --steps 2 --width 16 --blocks 1 --patch 8 --batch 2 --align-block 1"),
                card.get("command").getAsString());
        assertEquals("sample-vit", card.getAsJsonObject("training").getAsJsonObject("representation_alignment").get("teacher").getAsString());
        assertEquals(64, card.getAsJsonObject("training").getAsJsonObject("representation_alignment").get("teacher_input_px").getAsInt(),
                "4 x 4 patches of 16 px: the DiT's 4 x 4 grid");
        String teacherSha = dev.loupe.models.ModelCard.sha256(dev.loupe.models.LoupeHome.sampleModel("sample-vit").resolve("model.safetensors"));
        assertEquals(teacherSha, card.getAsJsonObject("training").getAsJsonObject("representation_alignment")
                .get("teacher_weights_sha256").getAsString(), "the teacher's weights, as its card records them");
        assertEquals(TrainDitCommand.DEFAULT_GUIDANCE_STOP, card.getAsJsonObject("sampler").get("guidance_stop").getAsDouble());
        assertEquals(8, card.getAsJsonObject("config").get("patch_size").getAsInt());
        assertEquals(16, card.getAsJsonObject("config").get("caption_channels").getAsInt());
        assertTrue(card.getAsJsonObject("files").has(TextToImageModel.TRANSFORMER_FILE));
        JsonObject adherence = card.getAsJsonObject("metrics").getAsJsonObject("prompt_adherence");
        assertEquals(8, adherence.get("captions").getAsInt());
        double shown = adherence.getAsJsonObject("renders").get("prompted_objects_shown").getAsDouble();
        assertTrue(shown >= 0 && shown <= 1, "share " + shown);
        // the true scenes are what the reward model was trained on: it must find most of their objects
        assertTrue(adherence.getAsJsonObject("true_scenes_at_model_size").get("prompted_objects_shown").getAsDouble() > 0.5,
                adherence.toString());
        // per prompted shape, the shapes seen; weighted by the prompted objects, the diagonal is the shapes-shown share
        JsonObject truth = adherence.getAsJsonObject("true_scenes_at_model_size");
        JsonObject byShape = truth.getAsJsonObject("shapes_seen_by_prompted_shape");
        assertEquals(8, byShape.size());
        double prompted = 0;
        double seenAsPrompted = 0;
        for (String shape : byShape.keySet()) {
            JsonObject row = byShape.getAsJsonObject(shape);
            int n = row.get("prompted_objects").getAsInt();
            assertEquals(n > 0 ? 9 : 1, row.size(), "the count, and the eight shapes' shares if any was prompted: " + row);
            prompted += n;
            if (n > 0) seenAsPrompted += n * row.get(shape).getAsDouble();
        }
        assertTrue(prompted > 0);
        assertEquals(truth.get("prompted_shapes_shown").getAsDouble(), seenAsPrompted / prompted, 2e-3, byShape.toString());
        assertTrue(r.out().contains("prompt adherence on 8 held-out captions"), r.out());
        assertTrue(r.out().contains("shapes shown by prompted shape"), r.out());
        assertTrue(card.getAsJsonObject("training_time").get("wall_seconds").getAsLong() >= 0);
        assertTrue(Files.isRegularFile(out.resolve("training/samples/step-0000002.png")), "a sample sheet");

        MacsCommandTest.Result again = RenderCommandTest.run("train", "dit", "--steps", "3", "--batch", "2", "--width", "16",
                "--blocks", "1", "--patch", "8", "--align-block", "1", "--out", out.toString());
        assertEquals(1, again.code());
        assertTrue(again.err().contains("--resume"), again.err());
        MacsCommandTest.Result resumed = RenderCommandTest.run("train", "dit", "--steps", "3", "--batch", "2", "--width", "16",
                "--blocks", "1", "--patch", "8", "--align-block", "1", "--sample-every", "0", "--eval-captions", "8", "--time-shift", "1", "--time-std",
                "1.5", "--time-uniform", "0.25", "--scenes", "4", "--lr", "5e-4", "--guidance-stop", "0.5", "--resume", "--out", out.toString());
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.out().contains("trained 3 steps"), resumed.out());
        JsonObject resumedCard = JsonParser.parseString(Files.readString(out.resolve("model.json"))).getAsJsonObject();
        String command = resumedCard.get("command").getAsString();
        assertTrue(command.startsWith("./loupe train dit --steps 2 --width 16 --blocks 1 --patch 8 --batch 2 --align-block 1 ")
                && command.contains(" && ./loupe train dit --steps 3 --batch 2 --lr 5.0E-4 --time-shift 1 --time-std 1.5 --time-uniform 0.25 --scenes 4 --align-block 1 ")
                && command.endsWith(" --guidance 4 --guidance-stop 0.5 --out sample-models/tiny --resume"), command);
        assertEquals(0.5, resumedCard.getAsJsonObject("sampler").get("guidance_stop").getAsDouble());
        assertEquals(1.0, resumedCard.getAsJsonObject("sampler").get("shift").getAsDouble(),
                "the sampler spaces its steps as the last phase trained");
        assertEquals(2, resumedCard.getAsJsonArray("training_phases").size());
        // a model trained on a pool of scenes is measured on those scenes' captions
        assertTrue(resumed.out().contains("prompt adherence on 4 training captions"), resumed.out());
        assertEquals("0..3 (training scenes)", resumedCard.getAsJsonObject("metrics").getAsJsonObject("prompt_adherence")
                .get("caption_seeds").getAsString());
        assertTrue(resumedCard.getAsJsonObject("data").get("scenes").getAsString().startsWith("seeds 0..3 over and over"),
                resumedCard.getAsJsonObject("data").toString());

        Path png = dir.resolve("x.png");
        MacsCommandTest.Result render = RenderCommandTest.run("render", "--model", out.toString(), "--prompt", "a red ring",
                "--out", png.toString());
        assertEquals(0, render.code(), render.err());
        assertTrue(Files.isRegularFile(png));

        // a fine-tuning run from that model, with the perceptual term, into another folder
        Path tuned = dir.resolve("tuned");
        MacsCommandTest.Result fineTuned = RenderCommandTest.run("train", "dit", "--init-from", out.toString(), "--steps", "2",
                "--batch", "2", "--width", "16", "--blocks", "1", "--patch", "8", "--align-block", "1", "--perceptual-weight", "1",
                "--sample-every", "0", "--eval-captions", "8", "--out", tuned.toString());
        assertEquals(0, fineTuned.code(), fineTuned.err());
        JsonObject tunedCard = JsonParser.parseString(Files.readString(tuned.resolve("model.json"))).getAsJsonObject();
        String tunedCommand = tunedCard.get("command").getAsString();
        assertTrue(tunedCommand.startsWith(command + " && ./loupe train dit --steps 2 --width 16 --blocks 1 --patch 8 --init-from sample-models/tiny ")
                && tunedCommand.contains(" --perceptual-weight 1 ") && tunedCommand.endsWith(" --out sample-models/tuned"), tunedCommand);
        JsonObject from = tunedCard.getAsJsonObject("init_from");
        assertEquals(dev.loupe.models.ModelCard.sha256(out.resolve(TextToImageModel.TRANSFORMER_FILE)), from.get("transformer_sha256").getAsString());
        MacsCommandTest.Result wider = RenderCommandTest.run("train", "dit", "--init-from", out.toString(), "--steps", "2", "--batch", "2",
                "--width", "32", "--blocks", "1", "--patch", "8", "--align-block", "1", "--out", dir.resolve("wider").toString());
        assertEquals(1, wider.code());
        assertTrue(wider.err().contains("(tiny) has another architecture"), wider.err());

        // a fine-tuning run into its source's own folder, as the card's chained command runs it, keeps the source's checkpoint
        String sourceSha = dev.loupe.models.ModelCard.sha256(out.resolve(TextToImageModel.TRANSFORMER_FILE));
        String[] inPlace = {"train", "dit", "--init-from", out.toString(), "--steps", "1", "--batch", "2", "--width", "16", "--blocks",
                "1", "--patch", "8", "--align-block", "1", "--sample-every", "0", "--eval-captions", "8", "--out", out.toString()};
        MacsCommandTest.Result tunedInPlace = RenderCommandTest.run(inPlace);
        assertEquals(0, tunedInPlace.code(), tunedInPlace.err());
        assertTrue(tunedInPlace.out().contains(TrainDitCommand.SOURCE_CHECKPOINT_DIR), tunedInPlace.out());
        assertEquals(3, dev.loupe.tensor.train.Checkpoint.info(out.resolve(TrainDitCommand.SOURCE_CHECKPOINT_DIR)).step());
        assertEquals(1, dev.loupe.tensor.train.Checkpoint.info(out.resolve("training")).step());
        JsonObject inPlaceCard = JsonParser.parseString(Files.readString(out.resolve("model.json"))).getAsJsonObject();
        assertEquals(sourceSha, inPlaceCard.getAsJsonObject("init_from").get("transformer_sha256").getAsString());
        // a second fine-tuning phase chained after the first sets the first one's finished checkpoint aside in turn
        MacsCommandTest.Result twice = RenderCommandTest.run(inPlace);
        assertEquals(0, twice.code(), twice.err());
        assertEquals(3, dev.loupe.tensor.train.Checkpoint.info(out.resolve(TrainDitCommand.SOURCE_CHECKPOINT_DIR)).step());
        assertEquals(1, dev.loupe.tensor.train.Checkpoint.info(out.resolve(TrainDitCommand.SOURCE_CHECKPOINT_DIR + "-2")).step());
        // a run stopped halfway (here: its checkpoint at step 1 of 5) is not set aside: it is refused without --resume
        Path meta = out.resolve("training").resolve(dev.loupe.tensor.train.Checkpoint.META);
        JsonObject saved = JsonParser.parseString(Files.readString(meta)).getAsJsonObject();
        saved.getAsJsonObject("metadata").getAsJsonObject("options").addProperty("steps", 5);
        Files.writeString(meta, saved.toString());
        MacsCommandTest.Result unfinished = RenderCommandTest.run(inPlace);
        assertEquals(1, unfinished.code(), "an unfinished run's checkpoint is not set aside");
        assertTrue(unfinished.err().contains("--resume"), unfinished.err());
        assertFalse(Files.exists(out.resolve(TrainDitCommand.SOURCE_CHECKPOINT_DIR + "-3")));
    }

    @Test
    void anAlignedPhaseIsReproducedWithItsFlagsAndABadBlockIsRefused(@TempDir Path dir) {
        JsonObject phase = JsonParser.parseString("{\"steps\": 5000, \"batch_size\": 32, \"learning_rate\": 0.001, \"time_shift\": 3.0,"
                + " \"time_std\": 1.0, \"representation_alignment\": {\"teacher\": \"sample-vit\", \"after_block\": 3, \"weight\": 0.5}}")
                .getAsJsonObject();
        com.google.gson.JsonArray phases = new com.google.gson.JsonArray();
        phases.add(phase);
        assertEquals("./loupe train dit --steps 5000 --guidance 4 --out sample-models/sample-dit",
                TrainDitCommand.command(phases, Path.of("sample-dit"), RECIPE_SAMPLER, "", 8), "the recipe's times and alignment need no flags");
        phase.addProperty("time_uniform", 0.2);
        phase.addProperty("scene_pool", 32);
        assertEquals("./loupe train dit --steps 5000 --time-uniform 0.2 --scenes 32 --guidance 4 --out sample-models/sample-dit",
                TrainDitCommand.command(phases, Path.of("sample-dit"), RECIPE_SAMPLER, "", 8));
        phase.remove("time_uniform");
        phase.remove("scene_pool");
        phase.addProperty("first_scene", 576000);
        phase.addProperty("seed", 1);
        assertEquals("./loupe train dit --steps 5000 --first-scene 576000 --seed 1 --guidance 4 --out sample-models/sample-dit",
                TrainDitCommand.command(phases, Path.of("sample-dit"), RECIPE_SAMPLER, "", 8), "other draws than the recipe's");
        phase.addProperty("first_scene", 0);
        phase.addProperty("seed", 0);
        phase.getAsJsonObject("representation_alignment").addProperty("weight", 1.0);
        phase.getAsJsonObject("representation_alignment").addProperty("after_block", 2);
        assertEquals("./loupe train dit --steps 5000 --align-weight 1 --align-block 2 --guidance 4 --out sample-models/sample-dit",
                TrainDitCommand.command(phases, Path.of("sample-dit"), RECIPE_SAMPLER, "", 8));
        phase.getAsJsonObject("representation_alignment").addProperty("grid", 8);
        assertEquals("./loupe train dit --steps 5000 --align-weight 1 --align-block 2 --guidance 4 --out sample-models/sample-dit",
                TrainDitCommand.command(phases, Path.of("sample-dit"), RECIPE_SAMPLER, "", 8), "the recipe's grid needs no flag");
        phase.getAsJsonObject("representation_alignment").addProperty("grid", 4);
        assertEquals("./loupe train dit --steps 5000 --align-weight 1 --align-block 2 --align-grid 4 --guidance 4 --out sample-models/sample-dit",
                TrainDitCommand.command(phases, Path.of("sample-dit"), RECIPE_SAMPLER, "", 8));
        phase.getAsJsonObject("representation_alignment").addProperty("shape_weight", 1.0);
        assertEquals("./loupe train dit --steps 5000 --align-weight 1 --align-block 2 --align-grid 4 --shape-weight 1 --guidance 4 --out sample-models/sample-dit",
                TrainDitCommand.command(phases, Path.of("sample-dit"), RECIPE_SAMPLER, "", 8));
        JsonObject perceptual = phase.deepCopy();
        perceptual.getAsJsonObject("representation_alignment").addProperty("perceptual_weight", 2.0);
        com.google.gson.JsonArray withPerceptual = new com.google.gson.JsonArray();
        withPerceptual.add(perceptual);
        assertEquals("./loupe train dit --steps 5000 --align-weight 1 --align-block 2 --align-grid 4 --shape-weight 1 --perceptual-weight 2 "
                + "--guidance 4 --out sample-models/sample-dit", TrainDitCommand.command(withPerceptual, Path.of("sample-dit"), RECIPE_SAMPLER, "", 8));
        JsonObject tuned = perceptual.deepCopy();
        JsonObject from = new JsonObject();
        from.addProperty("folder", "sample-dit-base");
        from.addProperty("command", "./loupe train dit --steps 9000 --guidance 4 --out sample-models/sample-dit-base");
        tuned.add("init_from", from);
        com.google.gson.JsonArray fineTuning = new com.google.gson.JsonArray();
        fineTuning.add(tuned);
        assertEquals("./loupe train dit --steps 9000 --guidance 4 --out sample-models/sample-dit-base && ./loupe train dit --steps 5000 "
                + "--init-from sample-models/sample-dit-base --align-weight 1 --align-block 2 --align-grid 4 --shape-weight 1 --perceptual-weight 2 "
                + "--guidance 4 --out sample-models/sample-dit", TrainDitCommand.command(fineTuning, Path.of("sample-dit"), RECIPE_SAMPLER, "", 8),
                "a fine-tuning run's command follows its starting model's");
        com.google.gson.JsonArray two = new com.google.gson.JsonArray();
        JsonObject imageFirst = phase.deepCopy();
        imageFirst.addProperty("prediction", "image");
        JsonObject imageSecond = imageFirst.deepCopy();
        imageSecond.addProperty("steps", 9000);
        two.add(imageFirst);
        two.add(imageSecond);
        assertEquals("./loupe train dit --steps 5000 --predict image --align-weight 1 --align-block 2 --align-grid 4 --shape-weight 1 "
                + "--guidance 4 --out sample-models/sample-dit && ./loupe train dit --steps 9000 --predict image --align-weight 1 "
                + "--align-block 2 --align-grid 4 --shape-weight 1 --guidance 4 --out sample-models/sample-dit --resume",
                TrainDitCommand.command(two, Path.of("sample-dit"), RECIPE_SAMPLER, "", 8), "every phase of an image-predicting run says so");
        phase.remove("representation_alignment");
        assertEquals("./loupe train dit --steps 5000 --align-weight 0 --guidance 4 --out sample-models/sample-dit",
                TrainDitCommand.command(phases, Path.of("sample-dit"), RECIPE_SAMPLER, "", 8), "a run without alignment");
        assertEquals("./loupe train dit --steps 5000 --align-weight 0 --guidance 3 --guidance-stop 0 --out sample-models/sample-dit",
                TrainDitCommand.command(phases, Path.of("sample-dit"), RECIPE_SAMPLER.overriding(null, 3.0, 0.0), "", 8),
                "a sampler that guides every step");
        MacsCommandTest.Result bad = RenderCommandTest.run("train", "dit", "--steps", "2", "--batch", "2", "--width", "16",
                "--blocks", "2", "--patch", "8", "--align-weight", "0.5", "--align-block", "3", "--out", dir.resolve("bad").toString());
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("blocks 1 to 2"), bad.err());
        MacsCommandTest.Result badGrid = RenderCommandTest.run("train", "dit", "--steps", "2", "--batch", "2", "--width", "16",
                "--blocks", "1", "--patch", "8", "--align-block", "1", "--align-grid", "3", "--out", dir.resolve("bad-grid").toString());
        assertEquals(1, badGrid.code());
        assertTrue(badGrid.err().contains("alignment grid 3: must divide the model's 4x4 token grid"), badGrid.err());
        MacsCommandTest.Result heldOut = RenderCommandTest.run("train", "dit", "--steps", "2", "--batch", "2", "--first-scene",
                "49999999", "--out", dir.resolve("held-out").toString());
        assertEquals(2, heldOut.code());
        assertTrue(heldOut.err().contains("4 training scenes from seed 49999999 would reach the held-out captions"), heldOut.err());
        assertFalse(Files.exists(dir.resolve("held-out")), "nothing is written for a refused run");
        MacsCommandTest.Result farOut = RenderCommandTest.run("train", "dit", "--steps", "2", "--batch", "2", "--first-scene",
                "" + Long.MAX_VALUE, "--out", dir.resolve("far-out").toString());
        assertEquals(2, farOut.code(), "no sum overflows past the check");
        MacsCommandTest.Result shapeAlone = RenderCommandTest.run("train", "dit", "--steps", "2", "--batch", "2", "--width", "16",
                "--blocks", "1", "--patch", "8", "--align-weight", "0", "--shape-weight", "1", "--out", dir.resolve("shape-alone").toString());
        assertEquals(2, shapeAlone.code());
        assertTrue(shapeAlone.err().contains("--shape-weight reads the aligned tokens"), shapeAlone.err());
        MacsCommandTest.Result perceptualAlone = RenderCommandTest.run("train", "dit", "--steps", "2", "--batch", "2", "--width", "16",
                "--blocks", "1", "--patch", "8", "--align-weight", "0", "--perceptual-weight", "1", "--out", dir.resolve("perceptual-alone").toString());
        assertEquals(2, perceptualAlone.code());
        assertTrue(perceptualAlone.err().contains("--perceptual-weight uses the alignment's teacher"), perceptualAlone.err());
    }
}
