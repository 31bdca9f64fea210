package dev.loupe.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.gson.JsonParser;
import dev.loupe.LoupeException;
import dev.loupe.diffusion.cache.CacheSchedule;
import java.nio.file.Path;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Any evaluation and any settings survive their JSON; any truncation of it is a clear error, never a crash. */
class SearchJsonPropertiesTest {
    @Provide
    Arbitrary<Evaluation> evaluations() {
        Arbitrary<CacheSchedule> schedules = Combinators.combine(Arbitraries.integers().between(1, 6),
                Arbitraries.integers().between(1, 4), Arbitraries.longs()).as((steps, blocks, seed) -> {
                    boolean[] g = new boolean[steps * blocks * CacheSchedule.COMPONENTS];
                    java.util.Random r = new java.util.Random(seed);
                    for (int i = 0; i < g.length; i++) g[i] = r.nextBoolean();
                    return CacheSchedule.fromGenome(steps, blocks, g, "");
                });
        Arbitrary<Double> figure = Arbitraries.oneOf(Arbitraries.doubles().between(-1e6, 1e6), Arbitraries.just(Double.NaN));
        Arbitrary<String> names = Arbitraries.strings().ofMinLength(1).ofMaxLength(12);
        return Combinators.combine(names, schedules, Arbitraries.longs().between(0, Long.MAX_VALUE), figure, figure, figure,
                figure, Arbitraries.of(Evaluation.BASELINE, Evaluation.HEURISTIC, "generation 7"))
                .as((name, s, macs, a, b, c, d, origin) -> new Evaluation(name, s.named(name), macs, a, b, c, d, a, origin));
    }

    @Property(tries = 200)
    void evaluationsRoundTrip(@ForAll("evaluations") Evaluation e) {
        String text = RunJson.toText(e.toJson());
        Evaluation back = Evaluation.fromJson(JsonParser.parseString(text), "test");
        assertEquals(e, back);
        assertEquals(e.schedule().name(), back.schedule().name());
    }

    @Property(tries = 100)
    void truncatedEvaluationsAreClearErrors(@ForAll("evaluations") Evaluation e, @ForAll("cuts") double cut) {
        String text = RunJson.toText(e.toJson());
        String truncated = text.substring(0, (int) (cut * text.length()));
        LoupeException error = assertThrows(LoupeException.class, () -> {
            try {
                Evaluation.fromJson(JsonParser.parseString(truncated), "evaluations.json");
            } catch (com.google.gson.JsonParseException p) {
                throw new LoupeException("evaluations.json: " + p.getMessage());
            }
        });
        assertEquals(true, error.getMessage().startsWith("evaluations.json"), error.getMessage());
    }

    @Provide
    Arbitrary<Double> cuts() {
        return Arbitraries.doubles().between(0, 0.98);
    }

    @Property(tries = 100)
    void settingsRoundTrip(@ForAll("prompts") List<String> prompts, @ForAll("seeds") List<Long> seeds,
                           @ForAll("sizes") int population, @ForAll("sizes") int generations,
                           @ForAll("rates") double crossover, @ForAll("rates") double mutation, @ForAll("rates") double weight) {
        SearchSettings s = new SearchSettings(Path.of("models", "dit"), prompts, seeds, population, generations, crossover,
                mutation, weight, 1 + population % 30, generations * 0.25, weight);
        SearchSettings back = SearchSettings.fromJson(JsonParser.parseString(RunJson.toText(s.toJson())), "settings.json");
        assertEquals(s, back);
        var older = s.toJson();
        older.remove("guidance_stop");
        SearchSettings made = SearchSettings.fromJson(older, "settings.json");
        assertEquals(0.0, made.guidanceStop(), "a run made before the guidance stop guided every step");
        assertEquals(s.guidanceStop() == 0, s.sameCalibration(made), "a different guidance stop renders differently");
    }

    @Provide
    Arbitrary<List<String>> prompts() {
        return Arbitraries.strings().withCharRange(' ', '~').ofMinLength(1).ofMaxLength(40).filter(p -> !p.isBlank())
                .list().ofMinSize(1).ofMaxSize(5);
    }

    @Provide
    Arbitrary<List<Long>> seeds() {
        return Arbitraries.longs().list().ofMinSize(1).ofMaxSize(4);
    }

    @Provide
    Arbitrary<Integer> sizes() {
        return Arbitraries.integers().between(2, 500);
    }

    @Provide
    Arbitrary<Double> rates() {
        return Arbitraries.doubles().between(0, 1);
    }
}
