package dev.loupe.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.loupe.LoupeException;
import dev.loupe.Progress;
import dev.loupe.diffusion.PreferenceTrainer;
import dev.loupe.diffusion.Sampler;
import dev.loupe.eval.reward.Prediction;
import dev.loupe.eval.reward.RewardPrompt;
import dev.loupe.eval.reward.RewardRule;
import dev.loupe.tensor.Images;
import dev.loupe.world.ShapesWorld;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The pairs a round of preference tuning learns from: the model renders each caption twice, the reward model scores
 * both renders, and the pair is kept when their rewards differ by a factor of e^margin or more, the better render the
 * winner. The margin is on the log of the reward so that hard captions (several objects, where every reward is small)
 * give pairs as often as easy ones.
 */
public final class PreferencePairs {
    /** Noise seed of the first render of a round; caption k's renders take the next two from 2k. */
    public static final long FIRST_NOISE_SEED = 10_000_000L;
    /** Captions rendered together (twice as many images): the sampler's batch, the same in every run. */
    static final int CAPTIONS_PER_BATCH = 16;

    /** A round's pairs, how many captions were rendered (fewer than asked when cancelled), and the renders' mean reward. */
    public record Round(List<PreferenceTrainer.Pair> pairs, int captions, double meanReward, double seconds) {}

    private PreferencePairs() {}

    /**
     * Renders the captions of ShapesWorld scenes {@code firstScene .. firstScene + captions - 1} twice each with
     * {@code sampler} (the model's own settings, uncached) and keeps the pairs that {@code reward} tells apart by at
     * least {@code logMargin}, in scene order.
     */
    public static Round render(Sampler sampler, RewardModel reward, long firstScene, int captions, double logMargin, Progress progress) {
        if (captions < 1) throw new LoupeException("preference pairs need at least one caption, not " + captions);
        if (!(logMargin >= 0)) throw new LoupeException("the reward margin must be 0 or more, not " + logMargin);
        List<PreferenceTrainer.Pair> kept = new ArrayList<>();
        double rewardSum = 0;
        int rendered = 0;
        long start = System.nanoTime();
        for (int from = 0; from < captions && !progress.isCancelled(); from += CAPTIONS_PER_BATCH) {
            int n = Math.min(CAPTIONS_PER_BATCH, captions - from);
            List<Sampler.Request> requests = new ArrayList<>(2 * n);
            List<String> texts = new ArrayList<>(n);
            List<RewardPrompt> prompts = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                String caption = ShapesWorld.scene(firstScene + from + i).caption();
                texts.add(caption);
                prompts.add(RewardPrompt.parse(caption));
                for (int j = 0; j < 2; j++) requests.add(new Sampler.Request(caption, FIRST_NOISE_SEED + 2L * (from + i) + j));
            }
            try (NDManager scope = sampler.model().manager().newSubManager()) {
                NDArray images = sampler.render(scope, requests, null).images();
                List<Prediction> predictions = reward.predict(images);
                byte[][] rgb = Images.interleavedRgb(images);
                for (int i = 0; i < n; i++) {
                    double first = RewardRule.logReward(predictions.get(2 * i), prompts.get(i));
                    double second = RewardRule.logReward(predictions.get(2 * i + 1), prompts.get(i));
                    rewardSum += Math.exp(first) + Math.exp(second);
                    if (Math.abs(first - second) < logMargin) continue;
                    boolean firstWins = first >= second;
                    kept.add(new PreferenceTrainer.Pair(texts.get(i), rgb[firstWins ? 2 * i : 2 * i + 1],
                            rgb[firstWins ? 2 * i + 1 : 2 * i]));
                }
            }
            rendered += n;
            progress.update((double) rendered / captions, String.format(Locale.ROOT, "rendered %d/%d captions twice, %d pairs kept", rendered,
                    captions, kept.size()));
        }
        return new Round(kept, rendered, rewardSum / (2.0 * Math.max(1, rendered)), (System.nanoTime() - start) / 1e9);
    }
}
