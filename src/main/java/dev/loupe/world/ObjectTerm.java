package dev.loupe.world;

import java.util.Objects;

/** "a red circle": what a caption says about one object. */
public record ObjectTerm(NamedColour colour, ShapeKind shape) {
    public ObjectTerm {
        Objects.requireNonNull(colour, "colour");
        Objects.requireNonNull(shape, "shape");
    }

    public static ObjectTerm of(SceneObject object) {
        return new ObjectTerm(object.colour(), object.shape());
    }
}
