package dev.loupe.world;

import java.util.Objects;

/**
 * One object of a scene, in normalised image coordinates: {@code (x, y)} is its centre with (0, 0) the top-left
 * and (1, 1) the bottom-right corner of the image; {@code size} is the diameter of the circle that bounds the
 * shape, as a fraction of the image side; {@code rotationDegrees} turns it clockwise about its centre.
 */
public record SceneObject(ShapeKind shape, NamedColour colour, double x, double y, double size, double rotationDegrees) {
    public SceneObject {
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(colour, "colour");
        if (!(size > 0)) throw new IllegalArgumentException("object size must be positive, got " + size);
    }
}
