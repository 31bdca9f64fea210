package dev.loupe.world;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The colours of ShapesWorld, each with the one word captions use for it. Objects take the eight hues; a
 * background may take any colour, as long as its objects stand out from it (see {@link Palette}). The sRGB values
 * were chosen so that every two object colours are at least 40 apart in CIELAB (blue/purple, the closest pair).
 */
public enum NamedColour {
    RED(220, 40, 40, true),
    ORANGE(245, 140, 20, true),
    YELLOW(245, 215, 30, true),
    GREEN(40, 170, 60, true),
    CYAN(20, 200, 215, true),
    BLUE(30, 90, 235, true),
    PURPLE(150, 40, 170, true),
    PINK(240, 120, 190, true),
    WHITE(245, 245, 245, false),
    GRAY(128, 128, 128, false),
    BLACK(25, 25, 25, false);

    /** The colours an object may have, in declaration order. */
    public static final List<NamedColour> OBJECT_COLOURS =
            Arrays.stream(values()).filter(NamedColour::isObjectColour).toList();
    /** The colours a background may have, in declaration order. */
    public static final List<NamedColour> BACKGROUND_COLOURS = List.of(values());

    private final int red;
    private final int green;
    private final int blue;
    private final boolean objectColour;

    NamedColour(int red, int green, int blue, boolean objectColour) {
        this.red = red;
        this.green = green;
        this.blue = blue;
        this.objectColour = objectColour;
    }

    /** The caption word: "red", "gray" ... */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    public int red() {
        return red;
    }

    public int green() {
        return green;
    }

    public int blue() {
        return blue;
    }

    /** 0xRRGGBB */
    public int rgb() {
        return red << 16 | green << 8 | blue;
    }

    public boolean isObjectColour() {
        return objectColour;
    }

    /** The colour a caption word names, or null. */
    public static NamedColour fromWord(String word) {
        for (NamedColour c : values()) if (c.word().equals(word)) return c;
        return null;
    }
}
