package dev.loupe.tensor;

import ai.djl.ndarray.NDArray;

/**
 * A named slot for one tensor of a {@link Module}. Layers read {@link #array()} at every call, so loading a
 * checkpoint swaps the tensor without rebuilding the model. Buffers (BatchNorm statistics) are parameters that
 * are not trained.
 */
public final class Parameter {
    private NDArray array;
    private final boolean trainable;

    Parameter(NDArray array, boolean trainable) {
        this.array = array;
        this.trainable = trainable;
    }

    public NDArray array() {
        return array;
    }

    public boolean trainable() {
        return trainable;
    }

    /** Replaces the tensor; the new one must already belong to the model's manager. */
    public void set(NDArray replacement) {
        NDArray old = array;
        array = replacement;
        if (old != replacement && old != null) old.close();
    }
}
