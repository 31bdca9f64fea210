package dev.loupe.eval.reward;

import dev.loupe.world.BackgroundKind;
import dev.loupe.world.NamedColour;
import dev.loupe.world.ObjectTerm;
import dev.loupe.world.SceneObject;
import dev.loupe.world.SceneSampler;
import dev.loupe.world.SceneSpec;
import dev.loupe.world.ShapeKind;
import java.util.List;

/**
 * What the reward model reads off an image, as positions in its output vector (the order is part of the weight
 * format: append, never reorder):
 * <pre>
 *   [0, 64)   presence of each (object colour, shape) pair: colour-major, {@link NamedColour#OBJECT_COLOURS} x {@link ShapeKind}
 *   [64, 69)  number of objects: 1, 2, 3, 4, 5 or more
 *   [69, 72)  background kind: {@link BackgroundKind} order
 *   [72, 83)  background colour: {@link NamedColour} order
 * </pre>
 */
public final class SceneAttributes {
    public static final List<NamedColour> OBJECT_COLOURS = NamedColour.OBJECT_COLOURS;
    public static final List<ShapeKind> SHAPES = ShapeKind.ALL;
    public static final List<BackgroundKind> KINDS = List.of(BackgroundKind.values());
    public static final List<NamedColour> BACKGROUND_COLOURS = NamedColour.BACKGROUND_COLOURS;

    public static final int PAIRS = OBJECT_COLOURS.size() * SHAPES.size();
    /**
     * Count classes: 1, 2, 3, 4 objects, and 5 or more. ShapesWorld never draws more than four, so the last class
     * is never seen in training and a prompt naming five objects or more cannot match any scene.
     */
    public static final int COUNT_CLASSES = SceneSampler.MAX_OBJECTS + 1;
    public static final int PAIR_OFFSET = 0;
    public static final int COUNT_OFFSET = PAIR_OFFSET + PAIRS;
    public static final int KIND_OFFSET = COUNT_OFFSET + COUNT_CLASSES;
    public static final int BACKGROUND_COLOUR_OFFSET = KIND_OFFSET + KINDS.size();
    /** Length of the model's output vector. */
    public static final int OUTPUTS = BACKGROUND_COLOUR_OFFSET + BACKGROUND_COLOURS.size();

    private SceneAttributes() {}

    /** The pair index of an object term, or -1 when its colour is not one objects can have. */
    public static int pairIndex(NamedColour colour, ShapeKind shape) {
        int c = OBJECT_COLOURS.indexOf(colour);
        return c < 0 ? -1 : c * SHAPES.size() + shape.ordinal();
    }

    public static int pairIndex(ObjectTerm term) {
        return pairIndex(term.colour(), term.shape());
    }

    public static ObjectTerm pair(int index) {
        return new ObjectTerm(OBJECT_COLOURS.get(index / SHAPES.size()), SHAPES.get(index % SHAPES.size()));
    }

    /** "red circle" */
    public static String pairName(int index) {
        ObjectTerm t = pair(index);
        return t.colour().word() + " " + t.shape().word();
    }

    /** The count class of {@code objects} objects: {@code objects - 1}, all counts from five on sharing the last class. */
    public static int countClass(int objects) {
        if (objects < 1) throw new IllegalArgumentException("a scene has at least one object, got " + objects);
        return Math.min(objects, COUNT_CLASSES) - 1;
    }

    /** The true attributes of a scene: the training targets. */
    public record Targets(float[] pairs, int countClass, int kind, int backgroundColour) {}

    public static Targets of(SceneSpec scene) {
        float[] pairs = new float[PAIRS];
        for (SceneObject o : scene.objects()) pairs[pairIndex(o.colour(), o.shape())] = 1f;
        return new Targets(pairs, countClass(scene.objects().size()), scene.background().kind().ordinal(),
                BACKGROUND_COLOURS.indexOf(scene.background().colour()));
    }
}
