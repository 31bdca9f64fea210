package dev.loupe.upsample.uplift;

import ai.djl.ndarray.NDManager;
import dev.loupe.tensor.Module;

/**
 * A container whose children are named by position, as {@code nn.Sequential} names them ({@code conv.0},
 * {@code conv.3}, ...). Positions of parameter-free layers (ReLU) are simply skipped, as in PyTorch's keys.
 */
final class Layers extends Module {
    Layers(NDManager manager) {
        super(manager);
    }

    <M extends Module> M at(int index, M module) {
        return child(Integer.toString(index), module);
    }
}
