package dev.loupe.diffusion.cache;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.function.Supplier;

/**
 * One denoising run under a {@link CacheSchedule}, with ECAD's semantics ({@code CachedTransformerBlock}): each
 * (block, component) keeps the raw output it last computed; at a step whose bit is {@code false} that output is
 * returned instead of calling the sub-module; a {@code false} bit with nothing cached yet (step 0) computes. Only
 * the sub-module call is skipped: the caller keeps running norms, modulation, gates and residuals with the current
 * step's values.
 *
 * <p>The model calls {@link #component} for every attn1 / attn2 / ff and {@link #advance} at the end of each
 * forward pass, so one forward pass is one step; the whole batch (both halves of classifier-free guidance) shares
 * the cached tensors. An output is kept only when the next step reuses it, which changes no result (a recompute
 * overwrites it anyway) but holds at most one tensor per (block, component) and none for uncached schedules.
 *
 * <p>Cached tensors live in a sub-manager of the one given at construction; {@link #close} frees them,
 * {@link #reset} starts a new run. Not thread-safe: one state per run.
 */
public final class CacheState implements AutoCloseable {
    private final CacheSchedule schedule;
    private final NDManager store;
    private final NDArray[] cached;
    private final int[][] computed;
    private int step;

    public CacheState(CacheSchedule schedule, NDManager parent) {
        this.schedule = schedule;
        this.store = parent.newSubManager();
        this.cached = new NDArray[schedule.blocks() * CacheSchedule.COMPONENTS];
        this.computed = new int[schedule.steps()][CacheSchedule.COMPONENTS];
    }

    public CacheSchedule schedule() {
        return schedule;
    }

    /** The step the next forward pass runs (0-based). */
    public int step() {
        return step;
    }

    /**
     * The output of one component at the current step: {@code compute}'s result (kept when the next step reuses
     * it) or the last computed one. A reused output belongs to this state: callers use it as an operand, never as
     * the receiver of an op, so that results land in their own scope.
     */
    public NDArray component(int block, Component c, Supplier<NDArray> compute) {
        if (step >= schedule.steps()) {
            throw new IllegalStateException("the schedule has " + schedule.steps() + " steps; this is step " + step);
        }
        int slot = block * CacheSchedule.COMPONENTS + c.ordinal();
        if (!schedule.recompute(step, block, c) && cached[slot] != null) return cached[slot];
        NDArray out = compute.get();
        computed[step][c.ordinal()]++;
        boolean reusedNext = step + 1 < schedule.steps() && !schedule.recompute(step + 1, block, c);
        if (cached[slot] != null) cached[slot].close();
        cached[slot] = null;
        if (reusedNext) {
            out.attach(store);
            cached[slot] = out;
        }
        return out;
    }

    /** Ends the current step (the model calls this after each forward pass). */
    public void advance() {
        step++;
    }

    /** How many blocks computed component {@code c} at {@code step} (the rest reused their cache). */
    public int computedCount(int step, Component c) {
        return computed[step][c.ordinal()];
    }

    /** Forgets all cached outputs and counts and starts again at step 0 (a new image). */
    public void reset() {
        for (int i = 0; i < cached.length; i++) {
            if (cached[i] != null) cached[i].close();
            cached[i] = null;
        }
        for (int[] row : computed) java.util.Arrays.fill(row, 0);
        step = 0;
    }

    @Override
    public void close() {
        store.close();
    }
}
