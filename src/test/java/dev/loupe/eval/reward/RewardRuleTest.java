package dev.loupe.eval.reward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.LoupeException;
import dev.loupe.world.BackgroundKind;
import dev.loupe.world.CaptionException;
import dev.loupe.world.NamedColour;
import dev.loupe.world.ParsedCaption;
import dev.loupe.world.SceneSpec;
import dev.loupe.world.ShapeKind;
import dev.loupe.world.ShapesWorld;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/** The reward combination on hand-made probabilities, against the product written out term by term. */
class RewardRuleTest {
    private static final int RED_CIRCLE = SceneAttributes.pairIndex(NamedColour.RED, ShapeKind.CIRCLE);
    private static final int BLUE_STAR = SceneAttributes.pairIndex(NamedColour.BLUE, ShapeKind.STAR);

    /** A model that sees a red circle (0.9) and a blue star (0.8), faintly everything else (0.01), ... */
    private static float[] present() {
        float[] p = new float[SceneAttributes.PAIRS];
        Arrays.fill(p, 0.01f);
        p[RED_CIRCLE] = 0.9f;
        p[BLUE_STAR] = 0.8f;
        return p;
    }

    /** ... two objects (0.7; five or more 0.03), a striped (0.6) gray (0.5) background. */
    private static Prediction seen() {
        float[] count = {0.1f, 0.7f, 0.12f, 0.05f, 0.03f};
        float[] kind = new float[3];
        kind[BackgroundKind.PLAIN.ordinal()] = 0.3f;
        kind[BackgroundKind.GRADIENT.ordinal()] = 0.1f;
        kind[BackgroundKind.STRIPED.ordinal()] = 0.6f;
        float[] colour = new float[SceneAttributes.BACKGROUND_COLOURS.size()];
        Arrays.fill(colour, 0.05f);
        colour[SceneAttributes.BACKGROUND_COLOURS.indexOf(NamedColour.GRAY)] = 0.5f;
        return Prediction.ofProbabilities(present(), count, kind, colour);
    }

    /** The product of the definition, written out: named pairs present, every other absent, count, background. */
    private static double expected(List<Integer> named, int objects, BackgroundKind kind, NamedColour colour) {
        float[] p = present();
        double r = 1;
        for (int i = 0; i < SceneAttributes.PAIRS; i++) r *= named.contains(i) ? p[i] : 1 - p[i];
        r *= new double[] {0.1, 0.7, 0.12, 0.05, 0.03}[Math.min(objects, 5) - 1];
        if (kind != null) {
            r *= kind == BackgroundKind.STRIPED ? 0.6 : kind == BackgroundKind.PLAIN ? 0.3 : 0.1;
            r *= colour == NamedColour.GRAY ? 0.5 : 0.05;
        }
        return r;
    }

    /** Probabilities are kept as single-precision logs: equal to a few parts in a million. */
    private static void assertClose(double expected, double actual) {
        assertEquals(expected, actual, 1e-5 * expected);
    }

    private static double reward(String prompt) {
        return RewardRule.reward(seen(), RewardPrompt.parse(prompt));
    }

    @Test
    void rewardIsTheProbabilityOfExactlyThePrompt() {
        assertClose(expected(List.of(RED_CIRCLE, BLUE_STAR), 2, BackgroundKind.STRIPED, NamedColour.GRAY),
                reward("a red circle and a blue star on a striped gray background"));
        assertClose(expected(List.of(RED_CIRCLE), 1, BackgroundKind.PLAIN, NamedColour.WHITE),
                reward("a red circle on a plain white background"));
    }

    @Test
    void promptWithoutBackgroundLeavesTheBackgroundOut() {
        assertClose(expected(List.of(RED_CIRCLE, BLUE_STAR), 2, null, null), reward("a blue star and a red circle"));
    }

    @Test
    void orderAndCaseOfTheObjectsDoNotMatter() {
        assertEquals(reward("a red circle and a blue star"), reward("A Blue star, and a red circle."), 1e-12);
    }

    @Test
    void aPairNamedTwiceIsCheckedOnceAndCountedTwice() {
        double r = reward("a red circle and a red circle");
        assertClose(expected(List.of(RED_CIRCLE), 2, null, null), r);
        RewardPrompt p = RewardPrompt.parse("a red circle and a red circle");
        assertEquals(1, p.pairs().length);
        assertEquals(2, p.objects());
    }

    @Test
    void fiveObjectsOrMoreShareTheLastCountClass() {
        String five = "a red circle, a blue star, a red circle, a blue star and a red circle";
        assertClose(expected(List.of(RED_CIRCLE, BLUE_STAR), 5, null, null), reward(five));
        assertClose(reward(five), reward(five + " and a blue star"));
        assertTrue(reward(five) < reward("a red circle, a blue star, a red circle and a blue star"));
    }

    @Test
    void theTruePromptBeatsEveryOneAttributeChange() {
        double truth = reward("a red circle and a blue star on a striped gray background");
        for (String wrong : List.of(
                "a green circle and a blue star on a striped gray background", // colour
                "a red square and a blue star on a striped gray background", // shape
                "a red circle and a blue star on a plain gray background", // background kind
                "a red circle and a blue star on a striped black background", // background colour
                "a red circle on a striped gray background", // object removed
                "a red circle, a blue star and a red circle on a striped gray background", // duplicate added
                "a red circle, a blue star and a pink ring on a striped gray background")) { // new object added
            assertTrue(truth > reward(wrong), wrong + ": " + reward(wrong) + " >= " + truth);
        }
    }

    @Test
    void explainedChecksMultiplyToTheReward() {
        RewardPrompt prompt = RewardPrompt.parse("a red circle and a blue star on a striped gray background");
        RewardRule.Explained e = RewardRule.explain(seen(), prompt);
        double product = e.checks().stream().mapToDouble(RewardRule.Check::probability).reduce(1, (a, b) -> a * b);
        assertEquals(e.reward(), product, 1e-9);
        assertEquals(List.of("red circle present", "blue star present", "no other object", "2 objects",
                "striped background", "gray background"), e.checks().stream().map(RewardRule.Check::name).toList());
        assertEquals(0.9, e.checks().get(0).probability(), 1e-6);
        assertEquals(Math.pow(0.99, SceneAttributes.PAIRS - 2), e.checks().get(2).probability(), 1e-4);
    }

    /** What a perfect reader of {@code scene} would predict: probability 1 for every true attribute, 0 elsewhere. */
    private static Prediction perfect(SceneSpec scene) {
        SceneAttributes.Targets t = SceneAttributes.of(scene);
        float[] count = new float[SceneAttributes.COUNT_CLASSES];
        count[t.countClass()] = 1;
        float[] kind = new float[SceneAttributes.KINDS.size()];
        kind[t.kind()] = 1;
        float[] colour = new float[SceneAttributes.BACKGROUND_COLOURS.size()];
        colour[t.backgroundColour()] = 1;
        return Prediction.ofProbabilities(t.pairs(), count, kind, colour);
    }

    /**
     * A perfect reader gives every scene's caption reward 1 and every one-attribute change reward 0, except a change
     * that leaves what the reward reads as it was: the reward asks which (colour, shape) pairs are present, not how
     * many of each, so recolouring one of two purple squares pink in a scene that also has a pink square names the
     * same pairs and the same count.
     */
    @Property(tries = 200)
    void perfectReaderSeparatesTruthFromEveryChange(@ForAll @LongRange(min = 0, max = 10_000_000) long seed) {
        SceneSpec scene = ShapesWorld.scene(seed);
        Prediction p = perfect(scene);
        ParsedCaption truth = ParsedCaption.of(scene);
        RewardPrompt read = RewardPrompt.parse(scene.caption());
        assertEquals(1.0, RewardRule.reward(p, read));
        assertEquals(1.0, RewardRule.reward(p, RewardPrompt.of(new ParsedCaption(truth.objects(), Optional.empty()))));
        for (Corruption c : Corruption.values()) {
            c.apply(truth, new Random(seed)).ifPresent(wrong -> {
                RewardPrompt wrongRead = RewardPrompt.of(wrong);
                boolean sameReading = Arrays.equals(wrongRead.prompted(), read.prompted()) && wrongRead.objects() == read.objects()
                        && wrongRead.background().equals(read.background());
                assertEquals(sameReading ? 1.0 : 0.0, RewardRule.reward(p, wrongRead), c + ": " + wrong.text());
            });
        }
    }

    @Test
    void logitsGiveSigmoidsAndSoftmaxes() {
        float[] logits = new float[2 * SceneAttributes.OUTPUTS];
        int b = SceneAttributes.OUTPUTS; // the second image
        logits[b + RED_CIRCLE] = 2f;
        logits[b + BLUE_STAR] = -30f;
        logits[b + SceneAttributes.COUNT_OFFSET + 1] = 1f;
        Prediction p = Prediction.fromLogits(logits, 1);
        assertEquals(1 / (1 + Math.exp(-2)), p.presentProbability(RED_CIRCLE), 1e-6);
        assertEquals(Math.log(1 / (1 + Math.exp(2))), p.logAbsent()[RED_CIRCLE], 1e-6);
        assertEquals(-30 - Math.log1p(Math.exp(-30)), p.logPresent()[BLUE_STAR], 1e-4); // no underflow to -inf
        assertEquals(0.5, p.presentProbability(SceneAttributes.pairIndex(NamedColour.PINK, ShapeKind.RING)), 1e-6);
        double z = Math.E + (SceneAttributes.COUNT_CLASSES - 1); // one logit 1, the others 0
        assertEquals(Math.log(Math.E / z), p.logCount()[1], 1e-6);
        assertEquals(2, p.count());
        assertEquals(Math.log(1.0 / 3), p.logKind()[0], 1e-6);
    }

    @Test
    void promptsOutsideTheGrammarOrTheWorldGetClearErrors() {
        CaptionException bad = assertThrows(CaptionException.class, () -> RewardPrompt.parse("a red cirlce"));
        assertTrue(bad.getMessage().contains("cirlce") && bad.getMessage().contains("circle"), bad.getMessage());
        assertThrows(CaptionException.class, () -> RewardPrompt.parse(""));
        LoupeException white = assertThrows(LoupeException.class, () -> RewardPrompt.parse("a white circle"));
        assertTrue(white.getMessage().contains("white circle") && white.getMessage().contains("background colour"),
                white.getMessage());
    }
}
