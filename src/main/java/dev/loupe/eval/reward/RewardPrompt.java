package dev.loupe.eval.reward;

import dev.loupe.LoupeException;
import dev.loupe.world.BackgroundTerm;
import dev.loupe.world.Caption;
import dev.loupe.world.NamedColour;
import dev.loupe.world.ObjectTerm;
import dev.loupe.world.ParsedCaption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A prompt as the reward model checks it: which (colour, shape) pairs it names, how many objects, and the
 * background when it names one. A prompt may name a pair twice ("a red circle and a red circle"): the pair is
 * checked once and the count says two.
 */
public record RewardPrompt(String text, ParsedCaption caption, boolean[] prompted, int[] pairs, int objects) {

    /**
     * Parses a prompt of the ShapesWorld caption grammar.
     *
     * @throws dev.loupe.world.CaptionException when the prompt is outside the grammar
     * @throws LoupeException when it names an object colour ShapesWorld never draws (white, gray, black)
     */
    public static RewardPrompt parse(String text) {
        return of(Caption.parse(text), text);
    }

    public static RewardPrompt of(ParsedCaption caption) {
        return of(caption, caption.text());
    }

    private static RewardPrompt of(ParsedCaption caption, String text) {
        boolean[] prompted = new boolean[SceneAttributes.PAIRS];
        List<Integer> pairs = new ArrayList<>();
        for (ObjectTerm term : caption.objects()) {
            int pair = SceneAttributes.pairIndex(term);
            if (pair < 0) {
                throw new LoupeException("prompt \"" + text + "\": \"" + term.colour().word() + " " + term.shape().word()
                        + "\" cannot be scored: objects in ShapesWorld are "
                        + SceneAttributes.OBJECT_COLOURS.stream().map(NamedColour::word).collect(Collectors.joining(", "))
                        + " (" + term.colour().word() + " is a background colour only)");
            }
            if (!prompted[pair]) pairs.add(pair);
            prompted[pair] = true;
        }
        return new RewardPrompt(text, caption, prompted, pairs.stream().mapToInt(Integer::intValue).toArray(),
                caption.objects().size());
    }

    /** The background the prompt asks for, if it names one. */
    public java.util.Optional<BackgroundTerm> background() {
        return caption.background();
    }
}
