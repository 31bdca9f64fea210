package dev.loupe.cli;

import ai.djl.ndarray.NDManager;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.loupe.LoupeException;
import dev.loupe.diffusion.PreferenceTrainer;
import dev.loupe.diffusion.Sampler;
import dev.loupe.diffusion.TextToImageModel;
import dev.loupe.eval.PreferencePairs;
import dev.loupe.eval.RewardModel;
import dev.loupe.models.ModelCard;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code loupe train dit-preference}: preference tuning of a text-to-image model on its own renders. */
@Command(name = "dit-preference", mixinStandardHelpOptions = true, description = {
    "Preference-tune a text-to-image model on its own renders (Diffusion-DPO). Each round, the model renders every",
    "caption twice, the reward model (sample-models/reward) picks the better render of each pair it tells apart, and",
    "the model learns to prefer it over the other, measured against a frozen copy of itself at the round's start.",
    "Each round's model and card go to OUT/" + TrainDitPreferenceCommand.ROUNDS_DIR + "/round-N (a killed run continues from",
    "the last with --resume); the last round's, with the source's commands then this one on its card, to OUT, whose",
    "prompt adherence is then measured as 'train dit' does."})
public final class TrainDitPreferenceCommand implements Callable<Integer> {
    static final int DEFAULT_ROUNDS = 2;
    static final int DEFAULT_CAPTIONS = 4096;
    static final int DEFAULT_STEPS = 600;
    static final int DEFAULT_PAIRS_PER_STEP = 16;
    static final float DEFAULT_LEARNING_RATE = 3e-5f;
    static final double DEFAULT_BETA = 2000;
    static final double DEFAULT_MARGIN = 1.0;
    /** Where each finished round's model is kept. */
    static final String ROUNDS_DIR = "preference-rounds";
    /** The share of a round's last steps whose preferred share the card reports: the end of the round, not its start. */
    private static final int TAIL_STEPS = 100;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--out", paramLabel = "DIR", description = "Output folder (default: sample-models/sample-dit).")
    Path out;

    @Option(names = "--init-from", paramLabel = "DIR", description = "The model to tune (default: the one in OUT, tuned in place).")
    Path initFrom;

    @Option(names = "--rounds", defaultValue = "" + DEFAULT_ROUNDS, paramLabel = "N", description = "Rounds of rendering and "
            + "tuning; each starts from the last one's model, which is also its reference (default ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--captions", defaultValue = "" + DEFAULT_CAPTIONS, paramLabel = "N",
            description = "Captions rendered twice in each round (default ${DEFAULT-VALUE}).")
    int captions;

    @Option(names = "--first-scene", defaultValue = "0", paramLabel = "N", description = "ShapesWorld seed of the first round's "
            + "first caption; each round takes the next N captions (default ${DEFAULT-VALUE}; a seed past the model's training "
            + "scenes gives captions it has not seen).")
    long firstScene;

    @Option(names = "--steps", defaultValue = "" + DEFAULT_STEPS, paramLabel = "N",
            description = "Optimisation steps in each round (default ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--pairs-per-step", defaultValue = "" + DEFAULT_PAIRS_PER_STEP, paramLabel = "P",
            description = "Pairs in each step, twice as many images (default ${DEFAULT-VALUE}).")
    int pairsPerStep;

    @Option(names = "--lr", defaultValue = "" + DEFAULT_LEARNING_RATE, paramLabel = "LR", description = "Peak learning rate, "
            + "after a warm-up of a tenth of the steps (at most 100), then a cosine to a tenth of it (default ${DEFAULT-VALUE}).")
    float learningRate;

    @Option(names = "--beta", defaultValue = "" + DEFAULT_BETA, paramLabel = "B", description = "How strongly the model is "
            + "held to its reference: higher moves it further for the same preference (default ${DEFAULT-VALUE}).")
    double beta;

    @Option(names = "--margin", defaultValue = "" + DEFAULT_MARGIN, paramLabel = "M", description = "A pair is kept when the "
            + "natural logs of its two rewards differ by M or more (default ${DEFAULT-VALUE}: one reward e times the other).")
    double margin;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "N",
            description = "Seed of the pairs' order and of each step's noise and noise levels (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--resume", description = "Continue from the last round kept in OUT/" + ROUNDS_DIR + " by a run with the "
            + "same options.")
    boolean resume;

    @Option(names = "--eval-captions", defaultValue = "" + TrainDitCommand.EVAL_CAPTIONS, paramLabel = "N",
            description = "Held-out captions the tuned model's prompt adherence is measured on (default ${DEFAULT-VALUE}).")
    int evalCaptions;

    @Override
    public Integer call() throws IOException {
        PrintWriter stdout = spec.commandLine().getOut();
        Path folder = TrainDitCommand.folderOrSample(out);
        Path source = initFrom != null ? initFrom : folder;
        if (rounds < 1) throw parameter("--rounds must be at least 1, got " + rounds);
        if (captions < 1) throw parameter("--captions must be at least 1, got " + captions);
        if (firstScene < 0) throw parameter("--first-scene must be 0 or more, got " + firstScene);
        if ((long) rounds * captions > TrainDitCommand.ADHERENCE_FIRST_SEED - firstScene) {
            throw parameter(String.format(Locale.ROOT, "%d rounds of %d captions from seed %d would reach the held-out captions "
                    + "that measure the model (seeds from %d): lower --first-scene", rounds, captions, firstScene,
                    TrainDitCommand.ADHERENCE_FIRST_SEED));
        }
        if (!(margin >= 0)) throw parameter("--margin must be 0 or more, got " + margin);
        if (Files.exists(folder) && !Files.isDirectory(folder)) throw new LoupeException(folder + ": exists and is not a folder");
        PreferenceTrainer.Options options = new PreferenceTrainer.Options(steps, pairsPerStep, learningRate, beta, seed);

        JsonObject card = ModelCard.read(source).json();
        JsonObject tuning = settings(TrainDitCommand.startingPoint(source));
        Path roundsDir = folder.resolve(ROUNDS_DIR);
        int done = keptRounds(roundsDir);
        Path resumed = null;
        if (done > 0 && !resume) {
            throw new LoupeException(roundsDir + " holds " + done + " round(s) of an earlier run: continue it with --resume, or delete it");
        }
        JsonArray roundRecords = new JsonArray();
        long earlierSeconds = 0;
        if (resume && done > 0) {
            resumed = roundsDir.resolve("round-" + Math.min(done, rounds));
            JsonObject earlier = lastTuning(resumed);
            // through the card's text, as the earlier run's were: a float option reads back as the double it prints
            JsonObject mine = JsonParser.parseString(tuning.toString()).getAsJsonObject();
            earlier.remove("init_from");
            mine.remove("init_from");
            if (!earlier.has("rounds") || !earlier.get("rounds").isJsonArray() || !earlier.has("wall_seconds")) {
                throw new LoupeException(resumed.resolve(TextToImageModel.CARD_FILE) + " does not list its rounds and time: it is not "
                        + "a kept round; delete " + roundsDir);
            }
            roundRecords = earlier.remove("rounds").getAsJsonArray();
            earlierSeconds = earlier.remove("wall_seconds").getAsLong();
            if (!earlier.equals(mine)) {
                throw new LoupeException(resumed + " was tuned with other options than these (" + earlier + "): give the same ones, "
                        + "or delete " + roundsDir);
            }
        }
        tuning.add("rounds", roundRecords); // the card copies it at each save, with the rounds added since
        long start = System.nanoTime();
        ProgressLine line = new ProgressLine(System.err);
        try (NDManager manager = NDManager.newBaseManager()) {
            TextToImageModel model = TextToImageModel.load(manager, resumed != null ? resumed : source);
            RewardModel reward = RewardModel.shipped(manager);
            stdout.printf(Locale.ROOT, "preference tuning %s: %d rounds of %d captions rendered twice, %d steps of %d pairs -> %s%n",
                    source.getFileName(), rounds, captions, steps, pairsPerStep, folder);
            if (resumed != null) stdout.printf(Locale.ROOT, "continuing after round %d, from %s%n", roundRecords.size(), resumed);
            stdout.flush();
            for (int round = roundRecords.size(); round < rounds; round++) {
                long roundFirstScene = firstScene + (long) round * captions;
                try (NDManager roundScope = manager.newSubManager()) {
                    TextToImageModel reference = model.copy(roundScope);
                    PreferencePairs.Round pairs = PreferencePairs.render(new Sampler(model), reward, roundFirstScene, captions, margin, line);
                    line.finish();
                    if (pairs.pairs().isEmpty()) {
                        throw new LoupeException(String.format(Locale.ROOT, "round %d: no caption's two renders differ in reward by "
                                + "--margin %s (log scale), so there is nothing to prefer: lower it or render more --captions", round + 1,
                                TrainDitCommand.trim(margin)));
                    }
                    stdout.printf(Locale.ROOT, "round %d: %d of %d captions give a pair (mean reward of the renders %.3f), %.0f s%n",
                            round + 1, pairs.pairs().size(), pairs.captions(), pairs.meanReward(), pairs.seconds());
                    stdout.flush();
                    long trainStart = System.nanoTime();
                    PreferenceTrainer.Result result = new PreferenceTrainer(model, reference, options).train(pairs.pairs(), line);
                    line.finish();
                    double trainSeconds = (System.nanoTime() - trainStart) / 1e9;
                    JsonObject record = record(roundFirstScene, pairs, result, trainSeconds);
                    roundRecords.add(record);
                    stdout.printf(Locale.ROOT, "round %d: loss %.4f at the start, %.4f over the last %d steps; the model prefers the "
                            + "winner more than its reference does in %.0f%% of the last steps' pairs; %.0f s%n", round + 1,
                            result.losses().get(0), record.get("final_loss").getAsDouble(), Math.min(TAIL_STEPS, result.losses().size()),
                            100 * record.get("preferred_share_at_end").getAsDouble(), trainSeconds);
                    stdout.flush();
                }
                tuning.addProperty("wall_seconds", earlierSeconds + Math.round((System.nanoTime() - start) / 1e9));
                model.save(roundsDir.resolve("round-" + (round + 1)), tunedCard(card, tuning, source, folder, round + 1));
            }
            tuning.addProperty("wall_seconds", earlierSeconds + Math.round((System.nanoTime() - start) / 1e9));
            model.save(folder, tunedCard(card, tuning, source, folder, rounds));
        }
        stdout.printf(Locale.ROOT, "tuned model in %s%n", folder);
        TrainDitCommand.evaluate(folder, null, null, evalCaptions, stdout);
        return 0;
    }

    private CommandLine.ParameterException parameter(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    private JsonObject settings(JsonObject startingPoint) {
        JsonObject tuning = new JsonObject();
        tuning.addProperty("method", "Diffusion-DPO on pairs of the model's own renders, preferred by the reward model");
        tuning.add("init_from", startingPoint);
        tuning.addProperty("captions_per_round", captions);
        tuning.addProperty("first_scene", firstScene);
        tuning.addProperty("first_noise_seed", PreferencePairs.FIRST_NOISE_SEED);
        tuning.addProperty("log_reward_margin", margin);
        tuning.addProperty("steps_per_round", steps);
        tuning.addProperty("pairs_per_step", pairsPerStep);
        tuning.addProperty("learning_rate", learningRate);
        tuning.addProperty("beta", beta);
        tuning.addProperty("seed", seed);
        return tuning;
    }

    private static JsonObject record(long roundFirstScene, PreferencePairs.Round pairs, PreferenceTrainer.Result result, double trainSeconds) {
        JsonObject record = new JsonObject();
        record.addProperty("scenes", roundFirstScene + ".." + (roundFirstScene + pairs.captions() - 1));
        record.addProperty("pairs", pairs.pairs().size());
        record.addProperty("mean_reward_of_renders", pairs.meanReward());
        record.addProperty("render_seconds", Math.round(pairs.seconds()));
        record.addProperty("train_seconds", Math.round(trainSeconds));
        record.addProperty("first_loss", result.losses().get(0));
        record.addProperty("final_loss", tail(result.losses()));
        record.addProperty("preferred_share_at_end", tail(result.preferredShares()));
        return record;
    }

    private static double tail(List<Double> values) {
        int n = values.size();
        return values.subList(Math.max(0, n - TAIL_STEPS), n).stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    /**
     * The source's card with this run added: its commands then this one, the tuning's settings and rounds after any
     * earlier tuning's, and no figures (they are measured again).
     */
    private JsonObject tunedCard(JsonObject source, JsonObject tuning, Path sourceFolder, Path folder, int roundsDone) {
        JsonObject card = source.deepCopy();
        card.addProperty("name", folder.getFileName().toString());
        card.remove("metrics");
        String before = card.has("command") ? card.get("command").getAsString() + " && " : "";
        card.addProperty("command", before + command(sourceFolder, folder, roundsDone));
        JsonArray runs = card.has("preference_tuning") && card.get("preference_tuning").isJsonArray()
                ? card.getAsJsonArray("preference_tuning") : new JsonArray();
        runs.add(tuning.deepCopy());
        card.add("preference_tuning", runs);
        return card;
    }

    /** This run's first {@code roundsDone} rounds as a command line: the rounds, the options not at their defaults, the folders. */
    String command(Path sourceFolder, Path folder, int roundsDone) {
        StringBuilder command = new StringBuilder("./loupe train dit-preference --rounds " + roundsDone);
        if (captions != DEFAULT_CAPTIONS) command.append(" --captions ").append(captions);
        if (firstScene != 0) command.append(" --first-scene ").append(firstScene);
        if (steps != DEFAULT_STEPS) command.append(" --steps ").append(steps);
        if (pairsPerStep != DEFAULT_PAIRS_PER_STEP) command.append(" --pairs-per-step ").append(pairsPerStep);
        if (learningRate != DEFAULT_LEARNING_RATE) command.append(" --lr ").append(learningRate);
        if (beta != DEFAULT_BETA) command.append(" --beta ").append(TrainDitCommand.trim(beta));
        if (margin != DEFAULT_MARGIN) command.append(" --margin ").append(TrainDitCommand.trim(margin));
        if (seed != 0) command.append(" --seed ").append(seed);
        String from = sourceFolder.getFileName().toString();
        String to = folder.getFileName().toString();
        if (!from.equals(to)) command.append(" --init-from sample-models/").append(from);
        return command.append(" --out sample-models/").append(to).toString();
    }

    /** How many rounds a run kept in {@code roundsDir}: round-1 .. round-N each hold a model. */
    static int keptRounds(Path roundsDir) {
        int n = 0;
        while (Files.isRegularFile(roundsDir.resolve("round-" + (n + 1)).resolve(TextToImageModel.CARD_FILE))) n++;
        return n;
    }

    /** The last preference-tuning run on a kept round's card. */
    private static JsonObject lastTuning(Path round) {
        JsonObject card = ModelCard.read(round).json();
        if (!card.has("preference_tuning") || !card.get("preference_tuning").isJsonArray() || card.getAsJsonArray("preference_tuning").isEmpty()) {
            throw new LoupeException(round.resolve(TextToImageModel.CARD_FILE) + " records no preference tuning: it is not a kept round");
        }
        JsonArray runs = card.getAsJsonArray("preference_tuning");
        return runs.get(runs.size() - 1).getAsJsonObject().deepCopy();
    }
}
