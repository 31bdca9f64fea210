package dev.loupe.backbone;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.loupe.tensor.Module;
import dev.loupe.tensor.nn.Activations;
import dev.loupe.tensor.nn.Linear;

/** The block MLP ({@code mlp.fc1}, GELU, {@code mlp.fc2}), as timm's ViT. */
public final class VitMlp extends Module {
    private final Linear fc1;
    private final Linear fc2;

    public VitMlp(NDManager manager, int width, int hidden) {
        super(manager);
        fc1 = child("fc1", new Linear(manager, width, hidden, true));
        fc2 = child("fc2", new Linear(manager, hidden, width, true));
    }

    /** {@code [B,N,D]} to {@code [B,N,D]}. */
    public NDArray forward(NDArray x) {
        return fc2.forward(Activations.gelu(fc1.forward(x)));
    }
}
