package dev.loupe.eval.reward;

import dev.loupe.world.BackgroundTerm;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The reward of an image for a prompt: the probability that the image shows exactly what the prompt says,
 * treating the model's heads as independent:
 * <pre>
 *   reward = prod over named pairs P(pair present)
 *          x prod over all other pairs P(pair absent)          (no object the prompt does not name)
 *          x P(count = number of objects named)
 *          x P(background kind) x P(background colour)          (only when the prompt names a background)
 * </pre>
 * It lies in [0, 1], higher is better, and its mean over a set of images is the expected share of images that
 * match their prompts. Every factor is also reported on its own ({@link #explain}), so a low reward says why.
 */
public final class RewardRule {
    private RewardRule() {}

    /** One factor of the reward: what was checked and the probability the model gives it. */
    public record Check(String name, double probability) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%s %.3f", name, probability);
        }
    }

    /** The reward with its factors. */
    public record Explained(double reward, List<Check> checks) {}

    /** Natural log of the reward (at most 0). */
    public static double logReward(Prediction p, RewardPrompt prompt) {
        double log = 0;
        for (int pair = 0; pair < SceneAttributes.PAIRS; pair++) {
            log += prompt.prompted()[pair] ? p.logPresent()[pair] : p.logAbsent()[pair];
        }
        log += p.logCount()[SceneAttributes.countClass(prompt.objects())];
        if (prompt.background().isPresent()) {
            BackgroundTerm b = prompt.background().get();
            log += p.logKind()[b.kind().ordinal()];
            log += p.logBackgroundColour()[SceneAttributes.BACKGROUND_COLOURS.indexOf(b.colour())];
        }
        return log;
    }

    public static double reward(Prediction p, RewardPrompt prompt) {
        return Math.exp(logReward(p, prompt));
    }

    /** The reward and its factors, named for people: "red circle present", "no other object", "2 objects", ... */
    public static Explained explain(Prediction p, RewardPrompt prompt) {
        List<Check> checks = new ArrayList<>();
        for (int pair : prompt.pairs()) {
            checks.add(new Check(SceneAttributes.pairName(pair) + " present", Math.exp(p.logPresent()[pair])));
        }
        double logNoOther = 0;
        for (int pair = 0; pair < SceneAttributes.PAIRS; pair++) if (!prompt.prompted()[pair]) logNoOther += p.logAbsent()[pair];
        checks.add(new Check("no other object", Math.exp(logNoOther)));
        int n = prompt.objects();
        String count = n == 1 ? "1 object" : n + " objects";
        checks.add(new Check(count, Math.exp(p.logCount()[SceneAttributes.countClass(n)])));
        prompt.background().ifPresent(b -> {
            checks.add(new Check(b.kind().word() + " background", Math.exp(p.logKind()[b.kind().ordinal()])));
            checks.add(new Check(b.colour().word() + " background",
                    Math.exp(p.logBackgroundColour()[SceneAttributes.BACKGROUND_COLOURS.indexOf(b.colour())])));
        });
        return new Explained(reward(p, prompt), List.copyOf(checks));
    }
}
