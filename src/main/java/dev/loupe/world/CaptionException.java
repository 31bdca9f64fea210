package dev.loupe.world;

import dev.loupe.LoupeException;

/** A caption or prompt outside the ShapesWorld grammar; {@link #position()} is the 1-based word at fault. */
public final class CaptionException extends LoupeException {
    private final String caption;
    private final int position;

    CaptionException(String caption, int position, String problem) {
        super("caption \"" + caption + "\": " + problem);
        this.caption = caption;
        this.position = position;
    }

    public String caption() {
        return caption;
    }

    /** The 1-based index of the word at fault, or {@code words + 1} when the caption ends too early. */
    public int position() {
        return position;
    }
}
