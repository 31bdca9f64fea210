package dev.loupe.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import dev.loupe.Progress;
import dev.loupe.eval.reward.Corruption;
import dev.loupe.eval.reward.Degrade;
import dev.loupe.eval.reward.Prediction;
import dev.loupe.eval.reward.RewardData;
import dev.loupe.eval.reward.RewardPrompt;
import dev.loupe.eval.reward.RewardRule;
import dev.loupe.eval.reward.SceneAttributes;
import dev.loupe.world.ParsedCaption;
import dev.loupe.world.SceneSpec;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * How good a reward model is on held-out ShapesWorld scenes, clean or degraded: how often it reads each attribute
 * right, and how often it prefers the true caption to one with a single attribute changed ({@link Corruption}).
 */
public final class RewardEvaluation {
    private static final int BATCH = 256;
    private static final double PRESENT = 0.5;

    private RewardEvaluation() {}

    /**
     * Shares of scenes (or of objects, for recall and precision) read right, and of caption pairs ordered right.
     *
     * @param objectsExact     the set of (colour, shape) pairs with probability at least 0.5 is exactly the scene's
     * @param objectRecall     share of the scenes' pairs predicted present
     * @param objectPrecision  share of pairs predicted present that the scene has
     * @param allAttributes    objects, count and background all right
     * @param meanReward       mean reward of the true captions
     * @param pairwise         per corruption, share of scenes where reward(true) > reward(corrupted)
     * @param pairwiseTrials   per corruption, the scenes it applies to (removing needs two objects)
     * @param pairwiseAll      the same over all corruptions together
     */
    public record Accuracy(int scenes, double objectsExact, double objectRecall, double objectPrecision, double count,
                           double backgroundKind, double backgroundColour, double allAttributes, double meanReward,
                           Map<Corruption, Double> pairwise, Map<Corruption, Long> pairwiseTrials, double pairwiseAll) {
        public JsonObject toJson() {
            JsonObject o = new JsonObject();
            o.addProperty("scenes", scenes);
            o.addProperty("objects_exact", round(objectsExact));
            o.addProperty("object_recall", round(objectRecall));
            o.addProperty("object_precision", round(objectPrecision));
            o.addProperty("count", round(count));
            o.addProperty("background_kind", round(backgroundKind));
            o.addProperty("background_colour", round(backgroundColour));
            o.addProperty("all_attributes", round(allAttributes));
            o.addProperty("mean_reward_true_caption", round(meanReward));
            JsonObject p = new JsonObject();
            pairwise.forEach((k, v) -> p.addProperty(k.key(), round(v)));
            p.addProperty("all", round(pairwiseAll));
            o.add("pairwise_true_over_corrupted", p);
            JsonObject trials = new JsonObject();
            pairwiseTrials.forEach((k, v) -> trials.addProperty(k.key(), v));
            o.add("pairwise_trials", trials);
            return o;
        }

        private static double round(double v) {
            return Math.round(v * 10000) / 10000.0;
        }
    }

    /** Evaluates on held-out seeds {@code firstSeed ..}; {@code degrade} null for clean images. */
    public static Accuracy evaluate(RewardModel model, long firstSeed, int count, Degrade degrade, Progress progress) {
        long exact = 0, truePairs = 0, predictedPairs = 0, hits = 0;
        long countRight = 0, kindRight = 0, colourRight = 0, allRight = 0;
        double rewardSum = 0;
        Map<Corruption, long[]> pairwise = new EnumMap<>(Corruption.class); // {wins, trials}
        for (Corruption c : Corruption.values()) pairwise.put(c, new long[2]);
        for (int done = 0; done < count; done += BATCH) {
            int n = Math.min(BATCH, count - done);
            RewardData.Scenes scenes = RewardData.heldOut(firstSeed + done, n, model.config(), degrade);
            List<Prediction> predictions;
            try (NDManager scope = model.net().manager().newSubManager()) {
                NDArray images = scenes.toBatch(scope).images();
                predictions = model.predict(images);
            }
            for (int b = 0; b < n; b++) {
                Prediction p = predictions.get(b);
                SceneSpec scene = scenes.specs().get(b);
                float[] truth = java.util.Arrays.copyOfRange(scenes.pairs(), b * SceneAttributes.PAIRS, (b + 1) * SceneAttributes.PAIRS);
                boolean objectsRight = true;
                for (int pair = 0; pair < SceneAttributes.PAIRS; pair++) {
                    boolean present = truth[pair] > 0;
                    boolean predicted = p.presentProbability(pair) >= PRESENT;
                    if (present) truePairs++;
                    if (predicted) predictedPairs++;
                    if (present && predicted) hits++;
                    if (present != predicted) objectsRight = false;
                }
                boolean countOk = p.count() - 1 == scenes.count()[b];
                boolean kindOk = p.kind().ordinal() == scenes.kind()[b];
                boolean colourOk = SceneAttributes.BACKGROUND_COLOURS.indexOf(p.backgroundColour()) == scenes.backgroundColour()[b];
                if (objectsRight) exact++;
                if (countOk) countRight++;
                if (kindOk) kindRight++;
                if (colourOk) colourRight++;
                if (objectsRight && countOk && kindOk && colourOk) allRight++;

                ParsedCaption caption = ParsedCaption.of(scene);
                double trueReward = RewardRule.reward(p, RewardPrompt.of(caption));
                rewardSum += trueReward;
                for (Corruption c : Corruption.values()) {
                    Random random = new Random(scene.seed() * 31 + c.ordinal());
                    c.apply(caption, random).ifPresent(wrong -> {
                        long[] tally = pairwise.get(c);
                        tally[1]++;
                        if (trueReward > RewardRule.reward(p, RewardPrompt.of(wrong))) tally[0]++;
                    });
                }
            }
            progress.update((double) Math.min(count, done + n) / count, "evaluating " + (degrade == null ? "clean" : "degraded")
                    + " held-out scenes " + Math.min(count, done + n) + "/" + count);
        }
        Map<Corruption, Double> shares = new EnumMap<>(Corruption.class);
        Map<Corruption, Long> trialCounts = new EnumMap<>(Corruption.class);
        long wins = 0, trials = 0;
        for (Map.Entry<Corruption, long[]> e : pairwise.entrySet()) {
            shares.put(e.getKey(), share(e.getValue()[0], e.getValue()[1]));
            trialCounts.put(e.getKey(), e.getValue()[1]);
            wins += e.getValue()[0];
            trials += e.getValue()[1];
        }
        return new Accuracy(count, share(exact, count), share(hits, truePairs), share(hits, predictedPairs),
                share(countRight, count), share(kindRight, count), share(colourRight, count), share(allRight, count),
                rewardSum / count, shares, trialCounts, share(wins, trials));
    }

    private static double share(long part, long whole) {
        return whole == 0 ? Double.NaN : (double) part / whole;
    }

    /** Images per second of {@link RewardModel#score(NDArray, List)} on batches of held-out scenes and their captions. */
    public static double imagesPerSecond(RewardModel model, int batch, int runs) {
        RewardData.Scenes scenes = RewardData.heldOut(RewardData.HELD_OUT_FIRST_SEED, batch, model.config(), Degrade.HELD_OUT);
        List<String> prompts = new ArrayList<>();
        for (SceneSpec s : scenes.specs()) prompts.add(s.caption());
        try (NDManager scope = model.net().manager().newSubManager()) {
            NDArray images = scenes.toBatch(scope).images();
            Timing.Result t = Timing.median(2, runs, () -> model.score(images, prompts));
            return batch / (t.medianMs() / 1000);
        }
    }
}
