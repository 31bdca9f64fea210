package dev.loupe.eval.reward;

import dev.loupe.world.BackgroundKind;
import dev.loupe.world.BackgroundTerm;
import dev.loupe.world.NamedColour;
import dev.loupe.world.ObjectTerm;
import dev.loupe.world.ParsedCaption;
import dev.loupe.world.ShapeKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/**
 * A caption with one attribute changed, to check that the reward prefers the true caption: the pairwise accuracy of
 * ImageReward-style evaluations, one kind of change at a time.
 */
public enum Corruption {
    /** One object's colour replaced by another object colour. */
    OBJECT_COLOUR("object_colour"),
    /** One object's shape replaced by another shape. */
    SHAPE("shape"),
    /** The background colour replaced by another. */
    BACKGROUND_COLOUR("background_colour"),
    /** The background kind (plain, gradient, striped) replaced by another. */
    BACKGROUND_KIND("background_kind"),
    /** An object the scene does not show added (any colour and shape, possibly one the scene already has). */
    ADDED_OBJECT("added_object"),
    /** One object left out (scenes with two or more objects). */
    REMOVED_OBJECT("removed_object");

    private final String key;

    Corruption(String key) {
        this.key = key;
    }

    /** The name in model cards and reports. */
    public String key() {
        return key;
    }

    /** The caption with this change, or empty when it does not apply (no background, a single object). */
    public Optional<ParsedCaption> apply(ParsedCaption truth, Random random) {
        List<ObjectTerm> objects = new ArrayList<>(truth.objects());
        Optional<BackgroundTerm> background = truth.background();
        int i = random.nextInt(objects.size());
        ObjectTerm o = objects.get(i);
        switch (this) {
            case OBJECT_COLOUR -> objects.set(i, new ObjectTerm(other(SceneAttributes.OBJECT_COLOURS, o.colour(), random), o.shape()));
            case SHAPE -> objects.set(i, new ObjectTerm(o.colour(), other(ShapeKind.ALL, o.shape(), random)));
            case BACKGROUND_COLOUR -> {
                if (background.isEmpty()) return Optional.empty();
                BackgroundTerm b = background.get();
                background = Optional.of(new BackgroundTerm(b.kind(), other(NamedColour.BACKGROUND_COLOURS, b.colour(), random)));
            }
            case BACKGROUND_KIND -> {
                if (background.isEmpty()) return Optional.empty();
                BackgroundTerm b = background.get();
                background = Optional.of(new BackgroundTerm(other(List.of(BackgroundKind.values()), b.kind(), random), b.colour()));
            }
            case ADDED_OBJECT -> objects.add(random.nextInt(objects.size() + 1), SceneAttributes.pair(random.nextInt(SceneAttributes.PAIRS)));
            case REMOVED_OBJECT -> {
                if (objects.size() < 2) return Optional.empty();
                objects.remove(i);
            }
        }
        return Optional.of(new ParsedCaption(objects, background));
    }

    private static <T> T other(List<T> choices, T current, Random random) {
        List<T> rest = new ArrayList<>(choices);
        rest.remove(current);
        return rest.get(random.nextInt(rest.size()));
    }
}
