package dev.loupe.world;

import java.util.List;
import java.util.Objects;

/**
 * A scene, independent of resolution: render it at any size with {@link Rasteriser}. Objects are in drawing
 * order (later ones on top); object {@code i} is instance {@code i + 1} in instance masks. {@code seed} is the
 * seed it was sampled from.
 */
public record SceneSpec(long seed, Background background, List<SceneObject> objects) {
    public SceneSpec {
        Objects.requireNonNull(background, "background");
        objects = List.copyOf(objects);
        if (objects.isEmpty()) throw new IllegalArgumentException("a scene needs at least one object");
    }

    /** The caption of this scene, e.g. "a red circle and a blue star on a striped gray background". */
    public String caption() {
        return Caption.of(this);
    }
}
