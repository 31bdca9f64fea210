package dev.loupe.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.loupe.tensor.Module;
import dev.loupe.tensor.nn.Activations;
import dev.loupe.tensor.nn.Linear;

/** The block MLP ({@code ff}, diffusers' {@code FeedForward}): {@code net.0.proj}, GELU (tanh-approximated in PixArt), {@code net.2}. */
public final class FeedForward extends Module {
    private final Linear in;
    private final Linear out;
    private final boolean tanhGelu;

    public FeedForward(NDManager manager, int dim, int inner, boolean tanhGelu) {
        super(manager);
        this.tanhGelu = tanhGelu;
        // net.0 is diffusers' GELU module holding the input projection; net.1 is a dropout without weights.
        in = child("net.0.proj", new Linear(manager, dim, inner));
        out = child("net.2", new Linear(manager, inner, dim));
    }

    /** [B, N, D] to [B, N, D]. */
    public NDArray forward(NDArray x) {
        NDArray h = in.forward(x);
        return out.forward(tanhGelu ? Activations.geluTanh(h) : Activations.gelu(h));
    }
}
