package dev.loupe.world;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PaletteTest {
    @Test
    void objectColoursAreClearlyDistinct() {
        for (NamedColour a : NamedColour.OBJECT_COLOURS) {
            for (NamedColour b : NamedColour.OBJECT_COLOURS) {
                assertTrue(a == b || Palette.deltaE(a.rgb(), b.rgb()) >= 40, a + " vs " + b);
            }
        }
        assertTrue(NamedColour.OBJECT_COLOURS.size() >= 8);
    }

    @Test
    void everyBackgroundLeavesSeveralObjectColours() {
        for (BackgroundKind kind : BackgroundKind.values()) {
            for (NamedColour colour : NamedColour.BACKGROUND_COLOURS) {
                Background background = new Background(kind, colour, 45, 0.2);
                long usable = NamedColour.OBJECT_COLOURS.stream().filter(c -> Palette.standsOut(c, background)).count();
                assertTrue(usable >= 4, kind + " " + colour + " leaves " + usable + " object colours");
                assertTrue(!Palette.standsOut(colour, background) || !colour.isObjectColour(), "same colour stands out: " + colour);
            }
        }
    }

    @Test
    void maskColoursTellClassesApart() {
        for (int a = 0; a < ShapeKind.CLASS_COUNT; a++) {
            for (int b = a + 1; b < ShapeKind.CLASS_COUNT; b++) {
                assertTrue(Palette.deltaE(Palette.classColour(a), Palette.classColour(b)) >= 20, a + " vs " + b);
            }
        }
    }
}
