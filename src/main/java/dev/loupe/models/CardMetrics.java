package dev.loupe.models;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A model card's {@code metrics} as a tree a person can read: the cards nest their figures (per protocol, per
 * method, per shape), so each JSON object becomes a node with its members as children and each number or string a
 * leaf showing the card's own text of it. A list of plain values stays on one line, as the card lists them.
 */
public final class CardMetrics {
    private CardMetrics() {}

    /** One figure, or a group of figures when {@code children} is not empty. */
    public record Metric(String name, String value, List<Metric> children) {
        public Metric {
            children = List.copyOf(children);
        }

        public boolean isGroup() {
            return !children.isEmpty();
        }
    }

    public static List<Metric> of(ModelCard card) {
        return of(card.metrics());
    }

    public static List<Metric> of(JsonObject metrics) {
        List<Metric> out = new ArrayList<>();
        for (Map.Entry<String, JsonElement> member : metrics.entrySet()) out.add(metric(readable(member.getKey()), member.getValue()));
        return out;
    }

    private static Metric metric(String name, JsonElement value) {
        if (value.isJsonObject()) return new Metric(name, "", of(value.getAsJsonObject()));
        if (value.isJsonArray()) {
            List<JsonElement> array = value.getAsJsonArray().asList();
            if (array.stream().allMatch(e -> e.isJsonPrimitive() || e.isJsonNull())) {
                return new Metric(name, array.stream().map(CardMetrics::text).collect(Collectors.joining(", ")), List.of());
            }
            List<Metric> items = new ArrayList<>();
            for (int i = 0; i < array.size(); i++) items.add(metric("#" + (i + 1), array.get(i)));
            return new Metric(name, array.size() + " items", items);
        }
        return new Metric(name, text(value), List.of());
    }

    private static String text(JsonElement value) {
        return value.isJsonNull() ? "—" : value.getAsString();
    }

    /** {@code mean_reward} reads as "mean reward"; the card's key is kept otherwise, so it can be found in the JSON. */
    static String readable(String key) {
        return key.replace('_', ' ');
    }
}
