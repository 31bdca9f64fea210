package dev.loupe.world;

import static dev.loupe.world.NamedColour.BLUE;
import static dev.loupe.world.NamedColour.GRAY;
import static dev.loupe.world.NamedColour.GREEN;
import static dev.loupe.world.NamedColour.ORANGE;
import static dev.loupe.world.NamedColour.RED;
import static dev.loupe.world.NamedColour.WHITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.LoupeException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CaptionTest {
    private static final Background STRIPED_GRAY = new Background(BackgroundKind.STRIPED, GRAY, 30, 0.2);

    @Test
    void namesObjectsLeftToRightWhateverTheDrawingOrder() {
        SceneSpec scene = new SceneSpec(1, STRIPED_GRAY, List.of(
                new SceneObject(ShapeKind.STAR, BLUE, 0.7, 0.5, 0.4, 0),
                new SceneObject(ShapeKind.CIRCLE, RED, 0.3, 0.5, 0.4, 0)));
        assertEquals("a red circle and a blue star on a striped gray background", scene.caption());
    }

    @Test
    void listsThreeOrMoreWithCommasAndUsesAnBeforeAVowel() {
        SceneSpec scene = new SceneSpec(1, Background.plain(WHITE), List.of(
                new SceneObject(ShapeKind.CIRCLE, RED, 0.2, 0.5, 0.3, 0),
                new SceneObject(ShapeKind.STAR, ORANGE, 0.5, 0.5, 0.3, 0),
                new SceneObject(ShapeKind.SQUARE, GREEN, 0.8, 0.5, 0.3, 0)));
        assertEquals("a red circle, an orange star and a green square on a plain white background", scene.caption());
    }

    @Test
    void equalPositionsGoTopToBottom() {
        SceneSpec scene = new SceneSpec(1, Background.plain(WHITE), List.of(
                new SceneObject(ShapeKind.RING, BLUE, 0.5, 0.8, 0.3, 0),
                new SceneObject(ShapeKind.CROSS, RED, 0.5, 0.2, 0.3, 0)));
        assertEquals("a red cross and a blue ring on a plain white background", scene.caption());
    }

    @Test
    void parsesCaptionsAndLooserPrompts() {
        ParsedCaption expected = new ParsedCaption(
                List.of(new ObjectTerm(RED, ShapeKind.CIRCLE), new ObjectTerm(BLUE, ShapeKind.STAR),
                        new ObjectTerm(GREEN, ShapeKind.SQUARE)),
                Optional.of(new BackgroundTerm(BackgroundKind.STRIPED, GRAY)));
        assertEquals(expected, Caption.parse("a red circle, a blue star and a green square on a striped gray background"));
        assertEquals(expected, Caption.parse("  A Red circle, a blue star, and a green square on a striped GRAY background. "));
        assertEquals(expected, Caption.parse("a red circle and a blue star and a green square on a striped gray background"));
        ParsedCaption noBackground = Caption.parse("an orange hexagon");
        assertEquals(List.of(new ObjectTerm(ORANGE, ShapeKind.HEXAGON)), noBackground.objects());
        assertEquals(Optional.empty(), noBackground.background());
        assertEquals("an orange hexagon", noBackground.text());
    }

    @Test
    void unknownWordsAreNamedWithTheNearestKnownWord() {
        CaptionException e = assertThrows(CaptionException.class, () -> Caption.parse("a red circel on a plain white background"));
        assertEquals(3, e.position());
        assertTrue(e.getMessage().contains("unknown word \"circel\"") && e.getMessage().contains("did you mean \"circle\""),
                e.getMessage());
        assertTrue(e.getMessage().startsWith("caption \"a red circel on a plain white background\": "), e.getMessage());
        assertTrue(e instanceof LoupeException, "shown to users as a plain message");

        CaptionException far = assertThrows(CaptionException.class, () -> Caption.parse("a red blob"));
        assertTrue(far.getMessage().contains("unknown word \"blob\" (word 3); known words are a an and"), far.getMessage());
    }

    @Test
    void grammarErrorsSayWhatWasExpectedAndWhere() {
        assertError("a red", 3, "expected a shape (circle, square, triangle, star, hexagon, cross, diamond, ring) after \"red\", but the caption ends");
        assertError("red circle", 1, "expected \"a\" or \"an\" at the start, but found \"red\" (word 1)");
        assertError("a circle", 2, "expected a colour (red, orange, yellow, green, cyan, blue, purple, pink, white, gray, black) after \"a\", but found \"circle\" (word 2)");
        assertError("a red circle a blue star", 4, "expected \",\", \"and\" or \"on\" after \"circle\", but found \"a\" (word 4)");
        assertError("a red circle and", 5, "expected \"a\" or \"an\" after \"and\", but the caption ends");
        assertError("a red circle on a gray background", 6, "expected a background kind (plain, gradient, striped) after \"a\", but found \"gray\" (word 6)");
        assertError("a red circle on a plain gray", 8, "expected \"background\" after \"gray\", but the caption ends");
        assertError("a red circle on a plain gray background and", 9, "expected the end of the caption after \"background\", but found \"and\" (word 9)");
        assertError("   ", 1, "is empty; expected e.g. \"a red circle\"");
    }

    @Test
    void vocabularyCoversTheGrammarInAFixedOrder() {
        assertEquals(List.of("a", "an", "and", ",", "on", "background", "red", "orange", "yellow", "green", "cyan",
                "blue", "purple", "pink", "white", "gray", "black", "circle", "square", "triangle", "star", "hexagon",
                "cross", "diamond", "ring", "plain", "gradient", "striped"), Vocabulary.WORDS);
        assertEquals(List.of("a", "red", "circle", ",", "an", "orange", "star"), Vocabulary.tokens("a red circle, an orange star."));
        int[] ids = Vocabulary.ids("a red circle");
        assertEquals(List.of("a", "red", "circle"), List.of(Vocabulary.WORDS.get(ids[0]), Vocabulary.WORDS.get(ids[1]),
                Vocabulary.WORDS.get(ids[2])));
        assertEquals(-1, Vocabulary.id("blob"));
    }

    private static void assertError(String caption, int position, String problem) {
        CaptionException e = assertThrows(CaptionException.class, () -> Caption.parse(caption));
        assertTrue(e.getMessage().endsWith(problem), "for \"" + caption + "\": " + e.getMessage());
        assertEquals(position, e.position(), e.getMessage());
    }
}
