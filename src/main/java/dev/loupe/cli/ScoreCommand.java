package dev.loupe.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.loupe.eval.RewardModel;
import dev.loupe.eval.reward.Prediction;
import dev.loupe.eval.reward.RewardPrompt;
import dev.loupe.eval.reward.RewardRule;
import dev.loupe.eval.reward.SceneAttributes;
import dev.loupe.models.LoupeHome;
import dev.loupe.tensor.Images;
import dev.loupe.tensor.Resize;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "score", mixinStandardHelpOptions = true, description = {
    "Score images against a ShapesWorld prompt with the reward model, and show what it sees in each image.",
    "The reward is the probability that the image shows exactly what the prompt says (every named object, no other,"
        + " the named number of objects and the named background): 0 to 1, higher is better. Images of any size are"
        + " resized to the model's 32x32.",
    "Prompts follow the caption grammar, e.g. \"a red circle and a blue star on a striped gray background\"."})
public final class ScoreCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--image", required = true, arity = "1..*", paramLabel = "IMG", description = "Images to score (PNG, JPEG, BMP, GIF).")
    List<Path> images;

    @Option(names = "--prompt", required = true, paramLabel = "TEXT", description = "The prompt to score them against.")
    String prompt;

    @Option(names = "--model", paramLabel = "DIR", description = "A reward model folder (default: the shipped sample-models/reward).")
    Path model;

    @Option(names = "--top", defaultValue = "4", paramLabel = "N",
            description = "How many of the most likely objects to show per image (default ${DEFAULT-VALUE}).")
    int top;

    @Override
    public Integer call() {
        if (top < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--top must be at least 1, got " + top);
        RewardPrompt parsed = RewardPrompt.parse(prompt);
        PrintWriter out = spec.commandLine().getOut();
        try (NDManager manager = NDManager.newBaseManager()) {
            RewardModel reward = RewardModel.load(model != null ? model : LoupeHome.sampleModel(RewardModel.NAME), manager);
            int size = reward.config().imageSize();
            NDList batch = new NDList();
            for (Path file : images) {
                NDArray image = Images.read(file, manager); // [1, 3, H, W]
                if (image.getShape().get(2) != size || image.getShape().get(3) != size) {
                    image = Resize.torchvisionBilinear(image, size, size);
                }
                batch.add(image);
            }
            NDArray stacked = batch.size() == 1 ? batch.singletonOrThrow() : NDArrays.concat(batch, 0);
            List<Prediction> predictions = reward.predict(stacked);
            out.println("prompt: " + parsed.caption().text());
            for (int i = 0; i < images.size(); i++) {
                Prediction p = predictions.get(i);
                RewardRule.Explained explained = RewardRule.explain(p, parsed);
                out.printf(Locale.ROOT, "%s  reward %.4g%n", images.get(i), explained.reward());
                out.println("  sees:   " + sees(p));
                out.println("  checks: " + explained.checks().stream().map(RewardRule.Check::toString)
                        .collect(Collectors.joining(", ")));
            }
        }
        out.flush();
        return 0;
    }

    /** The most likely objects, the count and the background, with their probabilities. */
    private String sees(Prediction p) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < SceneAttributes.PAIRS; i++) order.add(i);
        order.sort((a, b) -> Float.compare(p.logPresent()[b], p.logPresent()[a]));
        String objects = order.subList(0, Math.min(top, order.size())).stream()
                .map(i -> String.format(Locale.ROOT, "%s %.2f", SceneAttributes.pairName(i), p.presentProbability(i)))
                .collect(Collectors.joining(", "));
        int count = p.count();
        String counted = count == 1 ? "1 object" : count == SceneAttributes.COUNT_CLASSES ? count + " or more objects" : count + " objects";
        return String.format(Locale.ROOT, "%s | %s %.2f | %s %.2f, %s %.2f background", objects, counted,
                Math.exp(p.logCount()[count - 1]), p.kind().word(),
                Math.exp(p.logKind()[p.kind().ordinal()]), p.backgroundColour().word(),
                Math.exp(p.logBackgroundColour()[SceneAttributes.BACKGROUND_COLOURS.indexOf(p.backgroundColour())]));
    }
}
