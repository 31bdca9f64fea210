package dev.loupe.world;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Every word of the caption grammar, in a fixed order that is part of the data format (token ids of trained
 * text encoders): the grammar words, then colours, shapes and background kinds in their enum order. The comma is
 * a word of its own. Ids are positions in {@link #WORDS}, from 0; a tokenizer that needs padding or special
 * tokens puts them after (or before, shifting) these.
 */
public final class Vocabulary {
    public static final List<String> GRAMMAR_WORDS = List.of("a", "an", "and", ",", "on", "background");
    public static final List<String> WORDS = buildWords();
    private static final Map<String, Integer> IDS = buildIds();

    private Vocabulary() {}

    public static int size() {
        return WORDS.size();
    }

    /** The id of a word; {@code -1} if it is not in the vocabulary. */
    public static int id(String word) {
        return IDS.getOrDefault(word, -1);
    }

    public static boolean contains(String word) {
        return IDS.containsKey(word);
    }

    /**
     * The words of a caption or prompt: lower-cased, commas split off as words, one final full stop dropped.
     *
     * @throws CaptionException naming the first word that is not in the vocabulary (with the nearest known word)
     */
    public static List<String> tokens(String caption) {
        String text = caption.strip().toLowerCase(Locale.ROOT);
        if (text.endsWith(".")) text = text.substring(0, text.length() - 1);
        text = text.replace(",", " , ").strip();
        if (text.isEmpty()) return List.of();
        List<String> words = Arrays.asList(text.split("\\s+"));
        for (int i = 0; i < words.size(); i++) {
            String w = words.get(i);
            if (!contains(w)) throw new CaptionException(caption, i + 1, "unknown word \"" + w + "\" (word " + (i + 1) + ")" + suggestion(w));
        }
        return List.copyOf(words);
    }

    /** The ids of a caption's words. */
    public static int[] ids(String caption) {
        return tokens(caption).stream().mapToInt(Vocabulary::id).toArray();
    }

    private static String suggestion(String word) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String known : WORDS) {
            int d = editDistance(word, known);
            if (d < bestDistance) {
                bestDistance = d;
                best = known;
            }
        }
        if (bestDistance <= Math.max(1, word.length() / 3)) return "; did you mean \"" + best + "\"?";
        return "; known words are " + String.join(" ", WORDS);
    }

    private static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) previous[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] t = previous;
            previous = current;
            current = t;
        }
        return previous[b.length()];
    }

    private static List<String> buildWords() {
        List<String> words = new ArrayList<>(GRAMMAR_WORDS);
        for (NamedColour c : NamedColour.values()) words.add(c.word());
        for (ShapeKind k : ShapeKind.values()) words.add(k.word());
        for (BackgroundKind k : BackgroundKind.values()) words.add(k.word());
        return List.copyOf(words);
    }

    private static Map<String, Integer> buildIds() {
        Map<String, Integer> ids = new HashMap<>();
        for (int i = 0; i < WORDS.size(); i++) ids.put(WORDS.get(i), i);
        return Map.copyOf(ids);
    }
}
