package dev.loupe.world;

import java.util.Objects;

/**
 * The background of a scene. {@code angleDegrees} is the direction of a gradient's ramp or across a stripe
 * pattern (0 = left to right, 90 = top to bottom); {@code period} is the width of one light and one dark stripe
 * together, as a fraction of the image side. Plain backgrounds have both 0, gradients a period of 0.
 */
public record Background(BackgroundKind kind, NamedColour colour, double angleDegrees, double period) {
    public Background {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(colour, "colour");
        if (kind == BackgroundKind.STRIPED && !(period > 0)) {
            throw new IllegalArgumentException("a striped background needs a positive period, got " + period);
        }
    }

    public static Background plain(NamedColour colour) {
        return new Background(BackgroundKind.PLAIN, colour, 0, 0);
    }
}
