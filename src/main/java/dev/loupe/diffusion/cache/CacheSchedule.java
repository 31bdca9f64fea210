package dev.loupe.diffusion.cache;

import java.util.Arrays;
import java.util.BitSet;
import java.util.Objects;

/**
 * ECAD's caching schedule: for every denoising step, block and {@link Component}, one bit; {@code true} means
 * <em>recompute</em>, {@code false} means reuse the component's last computed output. Immutable. The flat genome
 * is step-major (step, then block, then component), as in ECAD's search.
 */
public final class CacheSchedule {
    public static final int COMPONENTS = Component.values().length;

    private final int steps;
    private final int blocks;
    private final BitSet recompute;
    private final String name;

    private CacheSchedule(int steps, int blocks, BitSet recompute, String name) {
        if (steps <= 0 || blocks <= 0) throw new IllegalArgumentException("a schedule needs at least one step and block");
        this.steps = steps;
        this.blocks = blocks;
        this.recompute = recompute;
        this.name = name == null ? "" : name;
    }

    /** Everything recomputed at every step: the uncached model. */
    public static CacheSchedule noCache(int steps, int blocks) {
        BitSet all = new BitSet(steps * blocks * COMPONENTS);
        all.set(0, steps * blocks * COMPONENTS);
        return new CacheSchedule(steps, blocks, all, "no-cache");
    }

    public static CacheSchedule fromGenome(int steps, int blocks, boolean[] genome, String name) {
        if (genome.length != steps * blocks * COMPONENTS) {
            throw new IllegalArgumentException("genome of " + genome.length + " bits does not fit " + steps + " steps x "
                    + blocks + " blocks x " + COMPONENTS + " components");
        }
        BitSet bits = new BitSet(genome.length);
        for (int i = 0; i < genome.length; i++) bits.set(i, genome[i]);
        return new CacheSchedule(steps, blocks, bits, name);
    }

    public int steps() { return steps; }

    public int blocks() { return blocks; }

    public String name() { return name; }

    public int size() { return steps * blocks * COMPONENTS; }

    public static int index(int step, int block, Component c, int blocks) {
        return (step * blocks + block) * COMPONENTS + c.ordinal();
    }

    public boolean recompute(int step, int block, Component c) {
        Objects.checkIndex(step, steps);
        Objects.checkIndex(block, blocks);
        return recompute.get(index(step, block, c, blocks));
    }

    public boolean[] genome() {
        boolean[] g = new boolean[size()];
        for (int i = 0; i < g.length; i++) g[i] = recompute.get(i);
        return g;
    }

    public CacheSchedule with(int step, int block, Component c, boolean recomputeIt) {
        BitSet copy = (BitSet) recompute.clone();
        copy.set(index(step, block, c, blocks), recomputeIt);
        return new CacheSchedule(steps, blocks, copy, name);
    }

    public CacheSchedule named(String newName) {
        return new CacheSchedule(steps, blocks, (BitSet) recompute.clone(), newName);
    }

    /** How many of the steps x blocks bits of one component say recompute. */
    public int recomputeCount(Component c) {
        int n = 0;
        for (int s = 0; s < steps; s++) {
            for (int b = 0; b < blocks; b++) {
                if (recompute(s, b, c)) n++;
            }
        }
        return n;
    }

    public int recomputeCount() {
        return recompute.cardinality();
    }

    /** Hamming distance to the uncached schedule. */
    public int cachedCount() {
        return size() - recompute.cardinality();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CacheSchedule s && s.steps == steps && s.blocks == blocks && s.recompute.equals(recompute);
    }

    @Override
    public int hashCode() {
        return Objects.hash(steps, blocks, recompute);
    }

    @Override
    public String toString() {
        return "CacheSchedule[" + (name.isEmpty() ? "" : name + ", ") + steps + " steps x " + blocks + " blocks, "
                + recomputeCount() + "/" + size() + " recompute]";
    }

    /** A compact, stable text key of the bits, for caching evaluations by genome. */
    public String key() {
        return steps + "x" + blocks + ":" + Arrays.toString(recompute.toLongArray());
    }
}
