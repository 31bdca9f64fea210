package dev.loupe.ecad;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.diffusion.cache.CacheSchedule;
import dev.loupe.diffusion.cache.Component;
import dev.loupe.ecad.Heuristics.Family;
import dev.loupe.ecad.Heuristics.Heuristic;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class HeuristicsTest {
    /** The expected bits as text: one line per step, one "attn1 attn2 ff" triple per block, 1 = recompute. */
    private static String picture(CacheSchedule s) {
        StringBuilder sb = new StringBuilder();
        for (int step = 0; step < s.steps(); step++) {
            for (int b = 0; b < s.blocks(); b++) {
                if (b > 0) sb.append(' ');
                for (Component c : Component.values()) sb.append(s.recompute(step, b, c) ? '1' : '0');
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    @Test
    void foraRecomputesEverythingEveryNStepsFromStepZero() {
        Heuristic h = Heuristics.fora(7, 2, 3);
        assertEquals("recompute_all_every_003", h.name());
        assertEquals(Family.FORA, h.family());
        assertEquals("""
                111 111
                000 000
                000 000
                111 111
                000 000
                000 000
                111 111
                """, picture(h.schedule()));
    }

    @Test
    void attentionOnlyForaComputesTheFeedForwardEveryStep() {
        Heuristic h = Heuristics.attentionFora(5, 2, 2);
        assertEquals("recompute_ca_sa_every_002", h.name());
        assertEquals("""
                111 111
                001 001
                111 111
                001 001
                111 111
                """, picture(h.schedule()));
        assertEquals(Map.of("recompute_attn1_every", 2, "recompute_attn2_every", 2, "recompute_ff_every", 1),
                h.parameters());
    }

    @Test
    void tgateReusesCrossAttentionFromTheGateStep() {
        // m = 6, k = 3, warm-up 2: before the gate attn1 at steps 0, 1 (warm-up) and 3 (divisible by 3)
        Heuristic h = Heuristics.tgate(9, 1, 6, 3, 1, 2);
        assertEquals("tgate_without_ca_avg_m_006_sp_003_fi_001_warmup_002", h.name());
        assertEquals("111\n111\n011\n111\n011\n011\n101\n101\n101\n", picture(h.schedule()));
        // T-GATE's defaults: only the cross-attention is ever reused
        assertEquals("111\n111\n101\n101\n", picture(Heuristics.tgate(4, 1, 2).schedule()));
        // fi interval 2 after the gate: attn1 only at even steps
        assertEquals("111\n111\n101\n001\n", picture(Heuristics.tgate(4, 1, 2, 1, 2, 2).schedule()));
    }

    @Test
    void evenlySpacedCachingReusesOneComponentInKBlocksAtJSteps() {
        // 5 steps, J = 1 -> step ceil(6/2 - 1) = 2; 4 blocks, K = 3 -> blocks round(0), round(1.5) = 2, round(3)
        Heuristic h = Heuristics.evenlyCache(5, 4, Component.ATTN2, 3, 1);
        assertEquals("evenly_cache_ca_evenly_spaced_affected_003_affected_steps_001", h.name());
        assertEquals("""
                111 111 111 111
                111 111 111 111
                101 111 101 101
                111 111 111 111
                111 111 111 111
                """, picture(h.schedule()));
        assertEquals(Family.EVENLY_SA, Heuristics.evenlyCache(5, 4, Component.ATTN1, 1, 1).family());
        assertEquals("111\n111\n110\n111\n",
                picture(Heuristics.evenlyCache(4, 1, Component.FF, 1, 1).schedule()));
    }

    @Test
    void stepsAndBlocksAreSpacedAsEcadSpacesThem() {
        assertArrayEquals(new int[] {10}, Heuristics.centeredSteps(20, 1));
        assertArrayEquals(new int[] {6, 13}, Heuristics.centeredSteps(20, 2));
        assertArrayEquals(new int[] {5, 10, 15}, Heuristics.centeredSteps(20, 3));
        assertArrayEquals(new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19},
                Heuristics.centeredSteps(20, 19));
        assertArrayEquals(new int[] {0, 1, 2}, Heuristics.centeredSteps(3, 3));
        assertArrayEquals(new int[] {0}, Heuristics.evenlySpaced(0, 27, 1));
        assertArrayEquals(new int[] {0, 14, 27}, Heuristics.evenlySpaced(0, 27, 3));
        // Python rounds half to even: 4.5 -> 4, 22.5 -> 22
        assertArrayEquals(new int[] {0, 4, 9, 14, 18, 22, 27}, Heuristics.evenlySpaced(0, 27, 7));
        assertArrayEquals(new int[] {0, 4, 9}, Heuristics.evenlySpaced(0, 9, 3));
    }

    @Test
    void theSchedulesEcadSeededItsPixArtSearchWithAreReproducedBitForBit() throws IOException {
        Map<String, Heuristic> pool = new HashMap<>();
        for (Heuristic h : Heuristics.all(20, 28)) pool.put(h.name(), h);
        List<Path> files;
        try (Stream<Path> s = Files.list(Fixtures.dir("ecad-gen000"))) {
            files = s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        assertEquals(5, files.size());
        for (Path file : files) {
            ScheduleFile ecad = ScheduleFile.read(file);
            Heuristic ours = pool.get(ecad.name());
            assertTrue(ours != null, ecad.name() + " is not in the pool");
            assertEquals(picture(ecad.schedule()), picture(ours.schedule()), ecad.name());
        }
    }

    @Test
    void thePoolFor20StepsAnd28BlocksHoldsEachFamilyOnce() {
        List<Heuristic> all = Heuristics.all(20, 28);
        Map<Family, Integer> counts = new EnumMap<>(Family.class);
        for (Heuristic h : all) counts.merge(h.family(), 1, Integer::sum);
        // FORA and attention-only FORA for N = 2..7, 10, 20; T-GATE m = 10..20 by 2 x k = 1..11 by 2, less m = 20,
        // k = 1, which is no caching; evenly spaced K = 1..27 by 2 x J = 1..19 by 2 for each of 3 components
        assertEquals(Map.of(Family.NO_CACHE, 1, Family.FORA, 8, Family.ATTENTION_FORA, 8, Family.TGATE, 35,
                Family.EVENLY_SA, 140, Family.EVENLY_CA, 140, Family.EVENLY_FF, 140), counts);
        assertEquals(all.size(), all.stream().map(Heuristic::schedule).distinct().count());
        assertEquals(all.size(), all.stream().map(Heuristic::name).distinct().count());
        all.forEach(h -> {
            assertEquals(20, h.schedule().steps());
            assertEquals(28, h.schedule().blocks());
        });
    }

    @Test
    void theInitialPopulationIsSeededDistinctAndOfTheRequestedSize() {
        List<Heuristic> small = Heuristics.initialPopulation(20, 28, 24, 7);
        assertEquals(24, small.size());
        assertEquals("default", small.get(0).name());
        assertEquals("recompute_all_every_002", small.get(1).name());
        assertEquals("recompute_ca_sa_every_002", small.get(2).name());
        assertEquals(small, Heuristics.initialPopulation(20, 28, 24, 7));
        assertNotEquals(small, Heuristics.initialPopulation(20, 28, 24, 8));
        assertEquals(small.subList(0, 10), Heuristics.initialPopulation(20, 28, 10, 7));

        List<Heuristic> ecadSize = Heuristics.initialPopulation(20, 28, 72, 0);
        Set<Family> families = new HashSet<>();
        ecadSize.forEach(h -> families.add(h.family()));
        assertEquals(Set.of(Family.NO_CACHE, Family.FORA, Family.ATTENTION_FORA, Family.TGATE, Family.EVENLY_SA,
                Family.EVENLY_CA, Family.EVENLY_FF), families);
        assertEquals(72, ecadSize.stream().map(Heuristic::schedule).distinct().count());

        // a tiny model has few heuristics: the rest are seeded mutants, all distinct, step 0 left alone
        List<Heuristic> topped = Heuristics.initialPopulation(4, 2, 40, 1);
        assertEquals(40, topped.size());
        assertEquals(40, topped.stream().map(Heuristic::schedule).distinct().count());
        assertTrue(topped.stream().anyMatch(h -> h.family() == Family.MUTATED));
        for (Heuristic h : topped) {
            for (int b = 0; b < 2; b++) {
                for (Component c : Component.values()) assertTrue(h.schedule().recompute(0, b, c), h.name());
            }
        }
        assertEquals(topped, Heuristics.initialPopulation(4, 2, 40, 1));
        assertThrows(IllegalArgumentException.class, () -> Heuristics.initialPopulation(1, 1, 9, 0));
    }

    @Test
    void aHeuristicBecomesAnEcadFileWithItsParameters() {
        ScheduleFile f = Heuristics.tgate(20, 28, 10).toFile();
        ScheduleFile back = ScheduleFile.parse(f.toJson(), "tgate.json");
        assertEquals(f.schedule(), back.schedule());
        assertEquals("tgate_without_ca_avg_m_010_sp_001_fi_001_warmup_002", back.name());
        assertEquals(10, back.attributes().get("gate_step").getAsInt());
        assertEquals(10, back.attributes().get("num_affected_steps").getAsInt());
        assertEquals(28 * 10, back.attributes().get("total_num_affected_blocks").getAsInt());
    }
}
