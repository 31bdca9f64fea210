package dev.loupe.cli;

import static dev.loupe.cli.Cli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import dev.loupe.OneTorchThread;
import dev.loupe.eval.RewardModel;
import dev.loupe.eval.reward.RewardConfig;
import dev.loupe.eval.reward.RewardNet;
import dev.loupe.models.LoupeHome;
import dev.loupe.world.ScenePngs;
import dev.loupe.world.ShapesWorld;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(OneTorchThread.class)
class ScoreCommandTest {
    private static final Pattern REWARD = Pattern.compile("reward (\\S+)");

    @TempDir Path dir;

    private static List<Double> rewards(String out) {
        List<Double> r = new ArrayList<>();
        Matcher m = REWARD.matcher(out);
        while (m.find()) r.add(Double.parseDouble(m.group(1)));
        return r;
    }

    private Path png(long seed, int size) throws IOException {
        Path file = dir.resolve(seed + "_" + size + ".png");
        Files.write(file, ScenePngs.image(ShapesWorld.render(seed, size)));
        return file;
    }

    /** An untrained model folder, for what does not depend on the weights. */
    private Path tinyModel() throws IOException {
        Path model = dir.resolve("tiny");
        try (NDManager m = NDManager.newBaseManager()) {
            RewardModel.writeFolder(model, new RewardNet(m, new RewardConfig(32, List.of(8, 16), 1, 32, 16)), new JsonObject());
        }
        return model;
    }

    /** On rendered ShapesWorld PNGs the shipped model scores the matching prompt above a wrong one. */
    @Test
    void matchingPromptScoresHigherThanAWrongOne() throws IOException {
        assumeTrue(Files.isRegularFile(LoupeHome.sampleModels().resolve(RewardModel.NAME).resolve("model.json")),
                "no shipped reward model");
        int checked = 0;
        for (long seed = 2_000_000_000L; checked < 3; seed++) {
            var scene = ShapesWorld.scene(seed);
            if (scene.objects().size() != 2) continue;
            checked++;
            Path small = png(seed, 32);
            Path large = png(seed, 128); // resized to 32x32 by the command
            String truth = scene.caption();
            String wrong = truth.replace(scene.background().kind().word() + " ",
                    (scene.background().kind() == dev.loupe.world.BackgroundKind.PLAIN ? "striped" : "plain") + " ");
            Cli.Result right = run("score", "--image", small.toString(), large.toString(), "--prompt", truth);
            Cli.Result bad = run("score", "--image", small.toString(), large.toString(), "--prompt", wrong);
            assertEquals(0, right.exitCode(), right.err());
            assertEquals(0, bad.exitCode(), bad.err());
            List<Double> r = rewards(right.out());
            List<Double> b = rewards(bad.out());
            assertEquals(2, r.size(), right.out());
            for (int i = 0; i < 2; i++) assertTrue(r.get(i) > b.get(i), truth + " vs " + wrong + ":\n" + right.out() + bad.out());
            assertTrue(right.out().contains("sees:") && right.out().contains("checks:") && right.out().contains("no other object"), right.out());
        }
    }

    @Test
    void explainsEveryCheckOfThePromptWithAnyModelFolder() throws IOException {
        Path model = tinyModel();
        Path image = png(3, 64);
        Cli.Result r = run("score", "--model", model.toString(), "--image", image.toString(), "--top", "2",
                "--prompt", "a red circle and a blue star on a striped gray background");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().startsWith("prompt: a red circle and a blue star on a striped gray background"), r.out());
        for (String check : List.of("red circle present", "blue star present", "no other object", "2 objects",
                "striped background", "gray background")) {
            assertTrue(r.out().contains(check), check + " missing from\n" + r.out());
        }
        assertEquals(1, rewards(r.out()).size());
    }

    @Test
    void badPromptsAndFilesGetOneLine() throws IOException {
        Path image = png(1, 32);
        Cli.Result grammar = run("score", "--image", image.toString(), "--prompt", "a red circel");
        assertEquals(1, grammar.exitCode());
        assertTrue(grammar.err().startsWith("loupe: caption \"a red circel\"") && grammar.err().contains("circle"), grammar.err());
        assertEquals(1, grammar.err().strip().lines().count(), grammar.err());

        Cli.Result white = run("score", "--image", image.toString(), "--prompt", "a white square");
        assertEquals(1, white.exitCode());
        assertTrue(white.err().contains("white square") && white.err().contains("cannot be scored"), white.err());

        Path model = tinyModel();
        Path text = dir.resolve("notes.png");
        Files.writeString(text, "not an image");
        Cli.Result notImage = run("score", "--model", model.toString(), "--image", text.toString(), "--prompt", "a red circle");
        assertEquals(1, notImage.exitCode());
        assertTrue(notImage.err().contains("notes.png") && notImage.err().contains("not an image"), notImage.err());

        Cli.Result noModel = run("score", "--model", dir.resolve("none").toString(), "--image", image.toString(), "--prompt", "a red circle");
        assertEquals(1, noModel.exitCode());
        assertTrue(noModel.err().contains("no model.json"), noModel.err());
    }
}
