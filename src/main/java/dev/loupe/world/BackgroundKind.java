package dev.loupe.world;

import java.util.Locale;

/** How a background is painted: one colour, a linear ramp from it to a shade of it, or stripes of the two. */
public enum BackgroundKind {
    PLAIN,
    GRADIENT,
    STRIPED;

    /** The caption word: "plain", "gradient", "striped". */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The kind a caption word names, or null. */
    public static BackgroundKind fromWord(String word) {
        for (BackgroundKind k : values()) if (k.word().equals(word)) return k;
        return null;
    }
}
