package dev.loupe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.loupe.diffusion.DitTrainer;
import dev.loupe.diffusion.PixArtConfig;
import dev.loupe.diffusion.PromptEncoderConfig;
import dev.loupe.diffusion.TextToImageConfig;
import dev.loupe.diffusion.TextToImageModel;
import dev.loupe.models.ModelCard;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code loupe train dit-preference} end to end on a tiny model: rounds, the card's command, resuming, bad input. */
class TrainDitPreferenceCommandTest {
    private static final String SOURCE_COMMAND = "./loupe train dit --steps 2 --out sample-models/tiny";

    private static Path tinyModel(Path dir) throws IOException {
        Path folder = dir.resolve("tiny");
        try (NDManager nd = NDManager.newBaseManager()) {
            TextToImageModel model = new TextToImageModel(nd, new TextToImageConfig(PixArtConfig.of(2, 8, 1, 3, 3, 32, 8, 16),
                    PromptEncoderConfig.of(16, 1, 2, 24), new TextToImageConfig.SamplerSettings(3, 3.0, 1.0)));
            DitTrainer.initialise(model, 11);
            JsonObject card = new JsonObject();
            card.addProperty("name", "tiny");
            card.addProperty("command", SOURCE_COMMAND);
            model.save(folder, card);
        }
        return folder;
    }

    private static JsonObject card(Path folder) throws IOException {
        return JsonParser.parseString(Files.readString(folder.resolve(TextToImageModel.CARD_FILE))).getAsJsonObject();
    }

    private static String[] args(Path source, Path out, String... more) {
        String[] base = {"train", "dit-preference", "--init-from", source.toString(), "--out", out.toString(), "--rounds", "2",
            "--captions", "6", "--steps", "2", "--pairs-per-step", "2", "--margin", "0", "--eval-captions", "4"};
        String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    @Test
    void tunesInRoundsRecordsTheChainedCommandAndResumes(@TempDir Path dir) throws Exception {
        Path source = tinyModel(dir);
        Path out = dir.resolve("tuned");
        MacsCommandTest.Result r = RenderCommandTest.run(args(source, out));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("round 1: 6 of 6 captions give a pair"), r.out());
        assertTrue(r.out().contains("round 2: loss 0.6931 at the start"), "each round starts at its own reference: " + r.out());
        assertTrue(r.out().contains("prompt adherence on 4 held-out captions"), r.out());

        JsonObject card = card(out);
        assertEquals(SOURCE_COMMAND + " && ./loupe train dit-preference --rounds 2 --captions 6 --steps 2 --pairs-per-step 2 --margin 0 "
                + "--init-from sample-models/tiny --out sample-models/tuned", card.get("command").getAsString());
        assertEquals("tuned", card.get("name").getAsString());
        JsonArray runs = card.getAsJsonArray("preference_tuning");
        assertEquals(1, runs.size());
        JsonObject run = runs.get(0).getAsJsonObject();
        assertEquals(ModelCard.sha256(source.resolve(TextToImageModel.TRANSFORMER_FILE)),
                run.getAsJsonObject("init_from").get("transformer_sha256").getAsString());
        JsonArray rounds = run.getAsJsonArray("rounds");
        assertEquals(2, rounds.size());
        assertEquals("0..5", rounds.get(0).getAsJsonObject().get("scenes").getAsString());
        assertEquals("6..11", rounds.get(1).getAsJsonObject().get("scenes").getAsString());
        assertEquals(6, rounds.get(1).getAsJsonObject().get("pairs").getAsInt());
        assertTrue(card.getAsJsonObject("metrics").has("prompt_adherence"), "the tuned model is measured: " + card);
        assertNotEquals(ModelCard.sha256(source.resolve(TextToImageModel.TRANSFORMER_FILE)),
                ModelCard.sha256(out.resolve(TextToImageModel.TRANSFORMER_FILE)), "the weights moved");
        Path round1 = out.resolve(TrainDitPreferenceCommand.ROUNDS_DIR).resolve("round-1");
        assertTrue(card(round1).get("command").getAsString().endsWith("--rounds 1 --captions 6 --steps 2 --pairs-per-step 2 --margin 0 "
                + "--init-from sample-models/tiny --out sample-models/tuned"), "a kept round's card reproduces that round");
        assertEquals(2, TrainDitPreferenceCommand.keptRounds(out.resolve(TrainDitPreferenceCommand.ROUNDS_DIR)));

        // the kept rounds are not overwritten by accident, and continue only with the options that made them
        MacsCommandTest.Result again = RenderCommandTest.run(args(source, out));
        assertEquals(1, again.code());
        assertTrue(again.err().contains(TrainDitPreferenceCommand.ROUNDS_DIR) && again.err().contains("--resume"), again.err());
        MacsCommandTest.Result otherSeed = RenderCommandTest.run(args(source, out, "--resume", "--seed", "9"));
        assertEquals(1, otherSeed.code());
        assertTrue(otherSeed.err().contains("other options"), otherSeed.err());

        // a run killed after its first round continues from it, to the same weights
        String finished = ModelCard.sha256(out.resolve(TextToImageModel.TRANSFORMER_FILE));
        Path killed = dir.resolve("killed");
        Files.createDirectories(killed.resolve(TrainDitPreferenceCommand.ROUNDS_DIR));
        copyFolder(round1, killed.resolve(TrainDitPreferenceCommand.ROUNDS_DIR).resolve("round-1"));
        MacsCommandTest.Result resumed = RenderCommandTest.run(args(source, killed, "--resume"));
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.out().contains("continuing after round 1"), resumed.out());
        assertEquals(finished, ModelCard.sha256(killed.resolve(TextToImageModel.TRANSFORMER_FILE)));
        JsonObject continued = card(killed).getAsJsonArray("preference_tuning").get(0).getAsJsonObject();
        assertEquals(2, continued.getAsJsonArray("rounds").size(), "the kept round's record, then the new one's");
        assertTrue(continued.get("wall_seconds").getAsLong() >= card(round1).getAsJsonArray("preference_tuning").get(0).getAsJsonObject()
                .get("wall_seconds").getAsLong(), "the time includes the kept round's");
    }

    @Test
    void refusesBadInputNamingTheProblem(@TempDir Path dir) throws Exception {
        Path source = tinyModel(dir);
        Path out = dir.resolve("tuned");
        MacsCommandTest.Result noRounds = RenderCommandTest.run("train", "dit-preference", "--init-from", source.toString(), "--out",
                out.toString(), "--rounds", "0");
        assertEquals(2, noRounds.code());
        assertTrue(noRounds.err().contains("--rounds must be at least 1"), noRounds.err());
        MacsCommandTest.Result heldOut = RenderCommandTest.run("train", "dit-preference", "--init-from", source.toString(), "--out",
                out.toString(), "--first-scene", "" + (TrainDitCommand.ADHERENCE_FIRST_SEED - 100));
        assertEquals(2, heldOut.code());
        assertTrue(heldOut.err().contains("held-out captions"), heldOut.err());
        Path notAModel = Files.createDirectories(dir.resolve("empty"));
        MacsCommandTest.Result missing = RenderCommandTest.run("train", "dit-preference", "--init-from", notAModel.toString(), "--out",
                out.toString());
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains(notAModel.toString()), missing.err());
        MacsCommandTest.Result farApart = RenderCommandTest.run("train", "dit-preference", "--init-from", source.toString(), "--out",
                out.toString(), "--captions", "4", "--steps", "2", "--margin", "1000");
        assertEquals(1, farApart.code());
        assertTrue(farApart.err().contains("round 1: no caption's two renders differ"), farApart.err());
        assertTrue(!Files.exists(out.resolve(TextToImageModel.CARD_FILE)), "nothing written when a round has no pair");
    }

    private static void copyFolder(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (var files = Files.list(from)) {
            for (Path f : (Iterable<Path>) files::iterator) Files.copy(f, to.resolve(f.getFileName()));
        }
    }
}
