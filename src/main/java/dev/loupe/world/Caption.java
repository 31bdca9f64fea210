package dev.loupe.world;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Captions of scenes, and the parser that reads them (and prompts) back. The grammar:
 *
 * <pre>
 * caption    = objects [ "on" article kind colour "background" ]
 * objects    = object { ( "," | "and" | "," "and" ) object }
 * object     = article colour shape
 * article    = "a" | "an"
 * colour     = red | orange | yellow | green | cyan | blue | purple | pink | white | gray | black
 * shape      = circle | square | triangle | star | hexagon | cross | diamond | ring
 * kind       = plain | gradient | striped
 * </pre>
 *
 * Words are case-insensitive and one final full stop is ignored. Generated captions always name the background,
 * list objects left to right (by centre; ties top to bottom), join them as "A", "A and B", "A, B and C", and use
 * "an" before a vowel: "an orange star, a blue circle and a red ring on a plain white background".
 */
public final class Caption {
    private static final Comparator<SceneObject> LEFT_TO_RIGHT =
            Comparator.comparingDouble(SceneObject::x).thenComparingDouble(SceneObject::y);

    private Caption() {}

    public static String of(SceneSpec scene) {
        return of(ParsedCaption.of(scene));
    }

    public static String of(ParsedCaption content) {
        List<String> objects = new ArrayList<>();
        for (ObjectTerm o : content.objects()) objects.add(withArticle(o.colour().word()) + " " + o.shape().word());
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < objects.size(); i++) {
            if (i > 0) text.append(i == objects.size() - 1 ? " and " : ", ");
            text.append(objects.get(i));
        }
        content.background().ifPresent(b -> text.append(" on ").append(withArticle(b.kind().word())).append(' ')
                .append(b.colour().word()).append(" background"));
        return text.toString();
    }

    /** The objects of a scene in caption order (a stable sort, so equal positions keep drawing order). */
    public static List<SceneObject> leftToRight(SceneSpec scene) {
        return scene.objects().stream().sorted(LEFT_TO_RIGHT).toList();
    }

    /**
     * Reads a caption or prompt of the grammar above.
     *
     * @throws CaptionException naming the word at fault and what was expected there
     */
    public static ParsedCaption parse(String caption) {
        return new Parser(caption).parse();
    }

    private static String withArticle(String word) {
        return ("aeiou".indexOf(word.charAt(0)) >= 0 ? "an " : "a ") + word;
    }

    private static final class Parser {
        private final String caption;
        private final List<String> words;
        private int next;

        Parser(String caption) {
            this.caption = caption;
            this.words = Vocabulary.tokens(caption);
        }

        ParsedCaption parse() {
            if (words.isEmpty()) throw new CaptionException(caption, 1, "is empty; expected e.g. \"a red circle\"");
            List<ObjectTerm> objects = new ArrayList<>();
            objects.add(object());
            while (next < words.size() && !peek().equals("on")) {
                String separator = take("\",\", \"and\" or \"on\"", w -> w.equals(",") || w.equals("and"));
                if (separator.equals(",") && next < words.size() && peek().equals("and")) next++;
                objects.add(object());
            }
            Optional<BackgroundTerm> background = Optional.empty();
            if (next < words.size()) {
                next++; // "on"
                article();
                BackgroundKind kind = BackgroundKind.fromWord(take("a background kind (plain, gradient, striped)",
                        w -> BackgroundKind.fromWord(w) != null));
                NamedColour colour = colour();
                take("\"background\"", w -> w.equals("background"));
                background = Optional.of(new BackgroundTerm(kind, colour));
                if (next < words.size()) throw expected("the end of the caption");
            }
            return new ParsedCaption(objects, background);
        }

        private ObjectTerm object() {
            article();
            NamedColour colour = colour();
            ShapeKind shape = ShapeKind.fromWord(take("a shape (" + wordsOf(ShapeKind.values()) + ")",
                    w -> ShapeKind.fromWord(w) != null));
            return new ObjectTerm(colour, shape);
        }

        private void article() {
            take("\"a\" or \"an\"", w -> w.equals("a") || w.equals("an"));
        }

        private NamedColour colour() {
            return NamedColour.fromWord(take("a colour (" + wordsOf(NamedColour.values()) + ")",
                    w -> NamedColour.fromWord(w) != null));
        }

        private String peek() {
            return words.get(next);
        }

        private String take(String expectation, Predicate<String> accepts) {
            if (next >= words.size() || !accepts.test(peek())) throw expected(expectation);
            return words.get(next++);
        }

        private CaptionException expected(String expectation) {
            String after = next == 0 ? "at the start" : "after \"" + words.get(next - 1) + "\"";
            String found = next >= words.size() ? "the caption ends" : "found \"" + peek() + "\" (word " + (next + 1) + ")";
            return new CaptionException(caption, next + 1, "expected " + expectation + " " + after + ", but " + found);
        }

        private static String wordsOf(Enum<?>[] values) {
            List<String> words = new ArrayList<>();
            for (Enum<?> v : values) words.add(v.name().toLowerCase(Locale.ROOT));
            return String.join(", ", words);
        }
    }
}
