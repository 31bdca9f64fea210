package dev.loupe.upsample.peers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.loupe.upsample.Upsampler;
import java.util.function.Function;

/**
 * A {@link PeerModel} behind the {@link Upsampler} contract, in eval mode. It may own the manager that holds the
 * model's weights, and then closes it.
 */
public final class PeerUpsampler implements Upsampler {
    private final String name;
    private final PeerModel model;
    private final NDManager owned;

    /** Wraps a model the caller owns. */
    public PeerUpsampler(String name, PeerModel model) {
        this(name, model, null);
    }

    private PeerUpsampler(String name, PeerModel model, NDManager owned) {
        this.name = name;
        this.model = model;
        this.owned = owned;
        model.module().train(false);
    }

    /**
     * Builds a model in a manager of its own (closed with the upsampler, or at once if building fails), for example
     * {@code PeerUpsampler.owning("jbu", m -> new JointBilateral(m, config))}.
     */
    public static PeerUpsampler owning(String name, Function<NDManager, ? extends PeerModel> build) {
        NDManager manager = NDManager.newBaseManager();
        try {
            return new PeerUpsampler(name, build.apply(manager), manager);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    public PeerModel model() {
        return model;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public NDArray upsample(NDArray image, NDArray features, int outH, int outW) {
        return model.upsample(image, features, outH, outW);
    }

    @Override
    public long parameterCount() {
        return model.module().parameterCount();
    }

    @Override
    public void close() {
        if (owned != null) owned.close();
    }
}
