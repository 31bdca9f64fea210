package dev.loupe.world;

import java.util.Objects;

/** "a striped gray background": what a caption says about the background. */
public record BackgroundTerm(BackgroundKind kind, NamedColour colour) {
    public BackgroundTerm {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(colour, "colour");
    }

    public static BackgroundTerm of(Background background) {
        return new BackgroundTerm(background.kind(), background.colour());
    }
}
