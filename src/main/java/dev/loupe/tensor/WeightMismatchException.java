package dev.loupe.tensor;

import dev.loupe.LoupeException;
import java.nio.file.Path;
import java.util.List;

/** A weight file whose keys or shapes do not fit the model; the message lists every difference (the first few of each kind). */
public class WeightMismatchException extends LoupeException {
    private final List<String> missing;
    private final List<String> unexpected;
    private final List<String> misShaped;

    public WeightMismatchException(String source, List<String> missing, List<String> unexpected, List<String> misShaped) {
        super(describe(source, missing, unexpected, misShaped));
        this.missing = List.copyOf(missing);
        this.unexpected = List.copyOf(unexpected);
        this.misShaped = List.copyOf(misShaped);
    }

    public List<String> missing() { return missing; }

    public List<String> unexpected() { return unexpected; }

    public List<String> misShaped() { return misShaped; }

    private static String describe(String source, List<String> missing, List<String> unexpected, List<String> misShaped) {
        StringBuilder sb = new StringBuilder(source).append(" does not fit the model:");
        section(sb, "missing keys", missing);
        section(sb, "unexpected keys", unexpected);
        section(sb, "mis-shaped keys", misShaped);
        return sb.toString();
    }

    private static void section(StringBuilder sb, String title, List<String> items) {
        if (items.isEmpty()) return;
        int shown = Math.min(items.size(), 8);
        sb.append(' ').append(items.size()).append(' ').append(title).append(" (")
                .append(String.join(", ", items.subList(0, shown)));
        if (items.size() > shown) sb.append(", ... ").append(items.size() - shown).append(" more");
        sb.append(')').append(';');
    }

    static String source(Path file) {
        return file == null ? "the weights" : file.toString();
    }
}
