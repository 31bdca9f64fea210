package dev.loupe.ecad;

import com.google.gson.JsonPrimitive;
import dev.loupe.diffusion.cache.CacheSchedule;
import dev.loupe.diffusion.cache.Component;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/**
 * The hand-made schedules ECAD seeds its search with (its pixart_schedule_generators.py; the PixArt-α run's
 * gen_000 population), for any number of steps and blocks, with ECAD's names:
 * <ul>
 * <li>{@code default}: no caching;
 * <li>{@code recompute_all_every_NNN}: FORA, every component of every block recomputed at steps 0, N, 2N, ...
 *     and reused in between;
 * <li>{@code recompute_ca_sa_every_NNN}: FORA on the attention only (attn1 and attn2 as FORA, ff every step);
 * <li>{@code tgate_without_ca_avg_m_M_sp_K_fi_F_warmup_W}: T-GATE-like; before the gate step M cross-attention is
 *     computed and self-attention is computed during W warm-up steps and then at steps divisible by K; from M on,
 *     the cross-attention output is reused and self-attention computed at steps divisible by F; ff always;
 * <li>{@code evenly_cache_{sa,ca,ff}_evenly_spaced_affected_K_affected_steps_J}: one component type (sa = attn1,
 *     ca = attn2, ff) reused in K blocks spread evenly over the depth, at J steps spread evenly over the run.
 * </ul>
 */
public final class Heuristics {
    /** T-GATE's self-attention warm-up and fi-stage interval as its paper fixes them (and ECAD uses). */
    public static final int TGATE_WARMUP = 2, TGATE_FI_INTERVAL = 1;
    /** FORA's recompute intervals in the pool (plus half the run and the whole run, as ECAD's gen_000 has). */
    public static final int FORA_MIN_N = 2, FORA_MAX_N = 7;

    private Heuristics() {}

    /** The heuristic families, with the name prefix ECAD gives their members. */
    public enum Family {
        NO_CACHE("default"),
        FORA("recompute_all"),
        ATTENTION_FORA("recompute_ca_sa"),
        TGATE("tgate_without_ca_avg"),
        EVENLY_SA("evenly_cache_sa_evenly_spaced"),
        EVENLY_CA("evenly_cache_ca_evenly_spaced"),
        EVENLY_FF("evenly_cache_ff_evenly_spaced"),
        /** Not ECAD's: a heuristic with a few bits flipped, to top up a population larger than the pool. */
        MUTATED("mutated");

        private final String prefix;

        Family(String prefix) {
            this.prefix = prefix;
        }

        public String prefix() {
            return prefix;
        }

        static Family evenly(Component c) {
            return switch (c) {
                case ATTN1 -> EVENLY_SA;
                case ATTN2 -> EVENLY_CA;
                case FF -> EVENLY_FF;
            };
        }
    }

    /** A heuristic schedule (named as ECAD names it) with the family and parameters that made it. */
    public record Heuristic(Family family, CacheSchedule schedule, Map<String, Integer> parameters) {
        public Heuristic {
            parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
        }

        public String name() {
            return schedule.name();
        }

        /** An ECAD schedule file whose attributes hold the affected-block counts and these parameters. */
        public ScheduleFile toFile() {
            ScheduleFile.Builder b = ScheduleFile.builder(schedule);
            parameters.forEach((k, v) -> b.attribute(k, new JsonPrimitive(v)));
            return b.build();
        }
    }

    public static Heuristic noCache(int steps, int blocks) {
        return new Heuristic(Family.NO_CACHE, CacheSchedule.noCache(steps, blocks).named("default"), Map.of());
    }

    /** FORA: everything recomputed at the steps divisible by {@code n} (step 0 included), reused in between. */
    public static Heuristic fora(int steps, int blocks, int n) {
        return recomputeEvery(steps, blocks, n, Family.FORA, false);
    }

    /** FORA on the attention only: attn1 and attn2 recomputed every {@code n} steps, ff at every step. */
    public static Heuristic attentionFora(int steps, int blocks, int n) {
        return recomputeEvery(steps, blocks, n, Family.ATTENTION_FORA, true);
    }

    private static Heuristic recomputeEvery(int steps, int blocks, int n, Family family, boolean ffAlways) {
        positive(n, "recompute interval");
        boolean[] g = new boolean[steps * blocks * CacheSchedule.COMPONENTS];
        for (int s = 0; s < steps; s++) {
            boolean recompute = s % n == 0;
            for (int b = 0; b < blocks; b++) {
                set(g, s, b, blocks, recompute, recompute, recompute || ffAlways);
            }
        }
        Map<String, Integer> p = new LinkedHashMap<>();
        p.put("recompute_attn1_every", n);
        p.put("recompute_attn2_every", n);
        p.put("recompute_ff_every", ffAlways ? 1 : n);
        return heuristic(family, steps, blocks, g, family.prefix() + "_every_" + three(n), p);
    }

    /** T-GATE-like with T-GATE's defaults: cross-attention reused from {@code gateStep} on, all else computed. */
    public static Heuristic tgate(int steps, int blocks, int gateStep) {
        return tgate(steps, blocks, gateStep, 1, TGATE_FI_INTERVAL, TGATE_WARMUP);
    }

    /**
     * T-GATE-like, as ECAD's {@code helper_tgate_without_ca_avg}: at steps before {@code gateStep} (T-GATE's m)
     * attn2 is computed and attn1 is computed during the {@code warmup} steps and at steps divisible by
     * {@code spInterval} (T-GATE's k); from {@code gateStep} on, attn2 is reused and attn1 computed at steps divisible
     * by {@code fiInterval}. The feed-forward is always computed. (ECAD, like T-GATE's code, tests {@code step %
     * interval} rather than the paper's {@code (step - warmup) % interval}.)
     */
    public static Heuristic tgate(int steps, int blocks, int gateStep, int spInterval, int fiInterval, int warmup) {
        if (gateStep < 0) throw new IllegalArgumentException("gate step must not be negative: " + gateStep);
        positive(spInterval, "sp interval");
        positive(fiInterval, "fi interval");
        if (warmup < 0) throw new IllegalArgumentException("warm-up must not be negative: " + warmup);
        boolean[] g = new boolean[steps * blocks * CacheSchedule.COMPONENTS];
        for (int s = 0; s < steps; s++) {
            boolean beforeGate = s < gateStep;
            boolean attn1 = beforeGate ? s < warmup || s % spInterval == 0 : s % fiInterval == 0;
            for (int b = 0; b < blocks; b++) set(g, s, b, blocks, attn1, beforeGate, true);
        }
        Map<String, Integer> p = new LinkedHashMap<>();
        p.put("gate_step", gateStep);
        p.put("sp_interval", spInterval);
        p.put("fi_interval", fiInterval);
        p.put("warmup", warmup);
        String name = Family.TGATE.prefix() + "_m_" + three(gateStep) + "_sp_" + three(spInterval) + "_fi_"
                + three(fiInterval) + "_warmup_" + three(warmup);
        return heuristic(Family.TGATE, steps, blocks, g, name, p);
    }

    /**
     * One component type reused in {@code affectedBlocks} blocks spread evenly from the first to the last block, at
     * {@code affectedSteps} steps spread evenly over the run; everything else computed (ECAD's
     * {@code helper_evenly_cache_evenly_spaced}).
     */
    public static Heuristic evenlyCache(int steps, int blocks, Component component, int affectedBlocks,
                                        int affectedSteps) {
        if (affectedBlocks < 1 || affectedBlocks > blocks) {
            throw new IllegalArgumentException("affected blocks " + affectedBlocks + " not in 1.." + blocks);
        }
        if (affectedSteps < 1 || affectedSteps > steps) {
            throw new IllegalArgumentException("affected steps " + affectedSteps + " not in 1.." + steps);
        }
        boolean[] g = new boolean[steps * blocks * CacheSchedule.COMPONENTS];
        Arrays.fill(g, true);
        for (int s : centeredSteps(steps, affectedSteps)) {
            for (int b : evenlySpaced(0, blocks - 1, affectedBlocks)) {
                g[CacheSchedule.index(s, b, component, blocks)] = false;
            }
        }
        Family family = Family.evenly(component);
        Map<String, Integer> p = new LinkedHashMap<>();
        p.put("num_affected_blocks", affectedBlocks);
        p.put("num_affected_steps", affectedSteps);
        return heuristic(family, steps, blocks, g, family.prefix() + "_affected_" + three(affectedBlocks)
                + "_affected_steps_" + three(affectedSteps), p);
    }

    /**
     * Every heuristic of the pool for {@code steps} x {@code blocks}, each schedule once (the first name wins), in
     * family order: no caching; FORA and attention-only FORA for N = 2..7, steps / 2 and steps; T-GATE-like for gate steps from half the
     * run to its end in steps of 2 and sp intervals 1, 3, ... up to half the run + 1 (ECAD's gen_000 picks for 20
     * steps: m = 10..20, k = 1..11); evenly spaced caching of attn1, attn2 and ff over K = 1, 3, ... < blocks blocks
     * and J = 1, 3, ... <= steps steps (ECAD's ranges).
     */
    public static List<Heuristic> all(int steps, int blocks) {
        List<Heuristic> pool = new ArrayList<>();
        pool.add(noCache(steps, blocks));
        for (int n : foraIntervals(steps)) pool.add(fora(steps, blocks, n));
        for (int n : foraIntervals(steps)) pool.add(attentionFora(steps, blocks, n));
        pool.addAll(tgates(steps, blocks));
        for (Component c : new Component[] {Component.ATTN1, Component.ATTN2, Component.FF}) {
            pool.addAll(evenlyCached(steps, blocks, c));
        }
        return distinct(pool);
    }

    /**
     * A seeded initial population of exactly {@code size} distinct schedules, the same for the same arguments. It
     * starts with no caching, then FORA and attention-only FORA alternating by N (2, 2, 3, 3, ...), then takes the
     * T-GATE-like and the three evenly-spaced families in turn, each family in a seeded order; a smaller size keeps
     * that prefix. A size beyond the pool is topped up with seeded mutants of the pool (a few bits flipped, never
     * at step 0 when there are later steps).
     */
    public static List<Heuristic> initialPopulation(int steps, int blocks, int size, long seed) {
        if (size < 0) throw new IllegalArgumentException("population size must not be negative: " + size);
        Random random = new Random(seed);
        Map<Family, List<Heuristic>> byFamily = new LinkedHashMap<>();
        for (Heuristic h : all(steps, blocks)) byFamily.computeIfAbsent(h.family(), f -> new ArrayList<>()).add(h);

        List<Heuristic> ordered = new ArrayList<>(byFamily.getOrDefault(Family.NO_CACHE, List.of()));
        ordered.addAll(interleave(List.of(byFamily.getOrDefault(Family.FORA, List.of()),
                byFamily.getOrDefault(Family.ATTENTION_FORA, List.of()))));
        List<List<Heuristic>> rest = new ArrayList<>();
        for (Family f : List.of(Family.TGATE, Family.EVENLY_SA, Family.EVENLY_CA, Family.EVENLY_FF)) {
            List<Heuristic> members = new ArrayList<>(byFamily.getOrDefault(f, List.of()));
            Collections.shuffle(members, random);
            rest.add(members);
        }
        ordered.addAll(interleave(rest));
        if (ordered.size() >= size) return List.copyOf(ordered.subList(0, size));
        return topUp(ordered, size, random);
    }

    private static List<Heuristic> topUp(List<Heuristic> pool, int size, Random random) {
        List<Heuristic> population = new ArrayList<>(pool);
        Set<CacheSchedule> seen = new HashSet<>();
        for (Heuristic h : pool) seen.add(h.schedule());
        CacheSchedule shape = pool.get(0).schedule();
        int steps = shape.steps(), blocks = shape.blocks(), bits = shape.size();
        int firstStep = steps > 1 ? 1 : 0;
        int mutableBits = (steps - firstStep) * blocks * CacheSchedule.COMPONENTS;
        int maxFlips = Math.max(1, (int) Math.ceil(bits * 0.02));
        long attempts = 0, limit = 1000L * size;
        for (int i = 0; population.size() < size; i++) {
            if (++attempts > limit) {
                throw new IllegalArgumentException("cannot make " + size + " distinct schedules of " + steps
                        + " steps x " + blocks + " blocks");
            }
            Heuristic base = pool.get(i % pool.size());
            boolean[] g = base.schedule().genome();
            int flips = 1 + random.nextInt(maxFlips);
            for (int f = 0; f < flips; f++) {
                int bit = firstStep * blocks * CacheSchedule.COMPONENTS + random.nextInt(mutableBits);
                g[bit] = !g[bit];
            }
            String name = Family.MUTATED.prefix() + "_" + base.name() + "_" + three(population.size());
            Heuristic m = heuristic(Family.MUTATED, steps, blocks, g, name, Map.of("flipped_bits", flips));
            if (seen.add(m.schedule())) population.add(m);
        }
        return List.copyOf(population);
    }

    /** N = 2..7, and N = steps / 2 and N = steps (ECAD's 10 and 20 for 20 steps), each once, ascending. */
    static List<Integer> foraIntervals(int steps) {
        TreeSet<Integer> n = new TreeSet<>();
        for (int i = FORA_MIN_N; i <= FORA_MAX_N; i++) n.add(i);
        if (steps / 2 >= FORA_MIN_N) n.add(steps / 2);
        if (steps >= FORA_MIN_N) n.add(steps);
        return List.copyOf(n);
    }

    private static List<Heuristic> tgates(int steps, int blocks) {
        List<Heuristic> out = new ArrayList<>();
        for (int m = Math.max(1, steps / 2); m <= steps; m += 2) {
            for (int sp = 1; sp <= steps / 2 + 1; sp += 2) {
                out.add(tgate(steps, blocks, m, sp, TGATE_FI_INTERVAL, TGATE_WARMUP));
            }
        }
        return out;
    }

    private static List<Heuristic> evenlyCached(int steps, int blocks, Component c) {
        List<Heuristic> out = new ArrayList<>();
        for (int j = 1; j <= steps; j += 2) {
            for (int k = 1; k < blocks; k += 2) out.add(evenlyCache(steps, blocks, c, k, j));
        }
        return out;
    }

    /**
     * ECAD's {@code apply_n_times_centered}: {@code count} steps centred in the run, the interior points of
     * numpy's {@code linspace(0, steps + 1, count + 2)} minus one, rounded up (20 steps, 3 times: 5, 10, 15).
     */
    static int[] centeredSteps(int steps, int count) {
        double delta = (double) (steps + 1) / (count + 1); // numpy: step = (stop - start) / (num - 1)
        int[] out = new int[count];
        for (int i = 1; i <= count; i++) out[i - 1] = (int) Math.ceil(i * delta - 1);
        return out;
    }

    /** ECAD's {@code evenly_spaced}: {@code count} integers from start to stop inclusive, Python-rounded (half to even). */
    static int[] evenlySpaced(int start, int stop, int count) {
        if (count == 1) return new int[] {start};
        double step = (double) (stop - start) / (count - 1);
        int[] out = new int[count];
        for (int i = 0; i < count; i++) out[i] = (int) Math.rint(start + i * step);
        return out;
    }

    private static List<Heuristic> distinct(List<Heuristic> all) {
        Set<CacheSchedule> seen = new HashSet<>();
        List<Heuristic> out = new ArrayList<>();
        for (Heuristic h : all) if (seen.add(h.schedule())) out.add(h);
        return out;
    }

    private static <T> List<T> interleave(List<List<T>> lists) {
        List<T> out = new ArrayList<>();
        int longest = lists.stream().mapToInt(List::size).max().orElse(0);
        for (int i = 0; i < longest; i++) {
            for (List<T> l : lists) if (i < l.size()) out.add(l.get(i));
        }
        return out;
    }

    private static Heuristic heuristic(Family f, int steps, int blocks, boolean[] genome, String name,
                                       Map<String, Integer> parameters) {
        return new Heuristic(f, CacheSchedule.fromGenome(steps, blocks, genome, name), parameters);
    }

    private static void set(boolean[] g, int step, int block, int blocks, boolean attn1, boolean attn2, boolean ff) {
        g[CacheSchedule.index(step, block, Component.ATTN1, blocks)] = attn1;
        g[CacheSchedule.index(step, block, Component.ATTN2, blocks)] = attn2;
        g[CacheSchedule.index(step, block, Component.FF, blocks)] = ff;
    }

    private static String three(int n) {
        return String.format(Locale.ROOT, "%03d", n);
    }

    private static void positive(int n, String what) {
        if (n < 1) throw new IllegalArgumentException(what + " must be at least 1: " + n);
    }
}
