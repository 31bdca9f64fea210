package dev.loupe.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** A card's nested figures become a readable tree in which every figure appears once, with the card's own text. */
class CardMetricsTest {
    @Test
    void groupsNestAndPlainListsStayOnOneLine() {
        JsonObject metrics = JsonParser.parseString("""
                {"final_loss": 0.108, "render_time": {"uncached_ms": 2038.2, "uncached_runs_ms": [1955.5, 2038.2, 2479.8]},
                 "runs": [{"seed": 0}, {"seed": 1}], "note": "median of 3", "missing": null}""").getAsJsonObject();
        List<CardMetrics.Metric> tree = CardMetrics.of(metrics);

        assertEquals(List.of("final loss", "render time", "runs", "note", "missing"), tree.stream().map(CardMetrics.Metric::name).toList());
        assertEquals("0.108", tree.get(0).value());
        assertFalse(tree.get(0).isGroup());
        CardMetrics.Metric render = tree.get(1);
        assertTrue(render.isGroup());
        assertEquals("2038.2", render.children().get(0).value());
        assertEquals("1955.5, 2038.2, 2479.8", render.children().get(1).value());
        assertEquals("2 items", tree.get(2).value());
        assertEquals(List.of("#1", "#2"), tree.get(2).children().stream().map(CardMetrics.Metric::name).toList());
        assertEquals("1", tree.get(2).children().get(1).children().get(0).value());
        assertEquals("median of 3", tree.get(3).value());
        assertEquals("—", tree.get(4).value());
    }

    @Test
    void everyShippedCardReads() {
        for (ModelCard card : ModelCatalog.scan(LoupeHome.sampleModels())) {
            List<CardMetrics.Metric> tree = CardMetrics.of(card);
            assertFalse(tree.isEmpty(), card.name() + " has figures");
            assertEquals(leaves(card.metrics()), leaves(tree), card.name());
        }
    }

    @Property(tries = 100)
    void everyNumberIsOneLeafUnderItsPath(@ForAll("nested") JsonObject metrics) {
        List<String> expected = new ArrayList<>();
        paths("", metrics, expected);
        List<String> actual = new ArrayList<>();
        paths("", CardMetrics.of(metrics), actual);
        assertEquals(expected, actual);
    }

    @Provide
    Arbitrary<JsonObject> nested() {
        return objects(3);
    }

    private static Arbitrary<JsonObject> objects(int depth) {
        Arbitrary<JsonElement> number = Arbitraries.doubles().between(-1e6, 1e6).map(d -> JsonParser.parseString(Double.toString(d)));
        Arbitrary<JsonElement> value = depth == 0 ? number : Arbitraries.oneOf(number, objects(depth - 1).map(o -> (JsonElement) o));
        return Arbitraries.maps(Arbitraries.strings().withChars("abc_xyz").ofMinLength(1).ofMaxLength(6), value)
                .ofMinSize(1).ofMaxSize(4).map(map -> {
                    JsonObject o = new JsonObject();
                    map.forEach(o::add);
                    return o;
                });
    }

    private static void paths(String prefix, JsonObject o, List<String> out) {
        for (Map.Entry<String, JsonElement> e : o.entrySet()) {
            String path = prefix + "/" + e.getKey().replace('_', ' ');
            if (e.getValue().isJsonObject()) paths(path, e.getValue().getAsJsonObject(), out);
            else out.add(path + "=" + e.getValue().getAsString());
        }
    }

    private static void paths(String prefix, List<CardMetrics.Metric> metrics, List<String> out) {
        for (CardMetrics.Metric m : metrics) {
            if (m.isGroup()) paths(prefix + "/" + m.name(), m.children(), out);
            else out.add(prefix + "/" + m.name() + "=" + m.value());
        }
    }

    private static int leaves(JsonElement e) {
        if (e.isJsonObject()) return e.getAsJsonObject().entrySet().stream().mapToInt(m -> leaves(m.getValue())).sum();
        if (e.isJsonArray() && e.getAsJsonArray().asList().stream().anyMatch(x -> !x.isJsonPrimitive() && !x.isJsonNull())) {
            return e.getAsJsonArray().asList().stream().mapToInt(CardMetricsTest::leaves).sum();
        }
        return 1;
    }

    private static int leaves(List<CardMetrics.Metric> metrics) {
        return metrics.stream().mapToInt(m -> m.isGroup() ? leaves(m.children()) : 1).sum();
    }
}
