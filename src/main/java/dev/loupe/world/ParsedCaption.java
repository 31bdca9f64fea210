package dev.loupe.world;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The content of a caption: its objects in the order it names them, and its background, which a prompt may leave
 * out (generated captions always name it).
 */
public record ParsedCaption(List<ObjectTerm> objects, Optional<BackgroundTerm> background) {
    public ParsedCaption {
        objects = List.copyOf(objects);
        Objects.requireNonNull(background, "background");
        if (objects.isEmpty()) throw new IllegalArgumentException("a caption names at least one object");
    }

    /** What the caption of {@code scene} says: objects left to right, and the background. */
    public static ParsedCaption of(SceneSpec scene) {
        List<ObjectTerm> terms = Caption.leftToRight(scene).stream().map(ObjectTerm::of).toList();
        return new ParsedCaption(terms, Optional.of(BackgroundTerm.of(scene.background())));
    }

    /** The caption text, as {@link Caption#of(ParsedCaption)} writes it. */
    public String text() {
        return Caption.of(this);
    }
}
