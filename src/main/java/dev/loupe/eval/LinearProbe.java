package dev.loupe.eval;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.loupe.tensor.Module;
import dev.loupe.tensor.Parameter;
import dev.loupe.tensor.nn.Linear;
import dev.loupe.tensor.train.Adam;

/**
 * A linear classifier on frozen features (the probe of the dense-feature literature): logits = W f + b per token or
 * pixel. Fitted from zero by full-batch Adam on soft targets (each token's class shares), then applied unchanged to
 * feature maps of any resolution, so that low-resolution and upsampled features are read by the very same probe.
 */
public final class LinearProbe extends Module {
    private final Linear linear;
    private final int classes;

    public LinearProbe(NDManager manager, int channels, int classes) {
        super(manager);
        this.classes = classes;
        linear = child("linear", new Linear(manager, channels, classes, true));
        // The fit is convex and needs no random start. From zero it depends on the features alone, so a method's
        // score does not move with whatever the engine's generator drew before its probe (other methods, other runs).
        for (Parameter p : linear.trainableParameters().values()) p.set(manager.zeros(p.array().getShape()));
    }

    /**
     * Fits the probe: {@code tokens} {@code [N,C]}, {@code targets} {@code [N,K]} rows summing to 1; features are
     * standardised by nothing (they are used as they come). Returns the final loss.
     */
    public double fit(NDArray tokens, NDArray targets, int iterations, float learningRate) {
        Adam adam = new Adam(manager, learningRate);
        train(true);
        double loss = Double.NaN;
        try {
            for (int i = 0; i < iterations; i++) {
                try (NDManager scope = manager.newSubManager()) {
                    // results of an op live with its first input: without this every iteration's logits would stay
                    // with the caller's arrays until the whole fit ends (gigabytes for a dense probe)
                    tokens.tempAttach(scope);
                    targets.tempAttach(scope);
                    NDArray value;
                    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                        value = linear.forward(tokens).logSoftmax(-1).mul(targets).sum(new int[] {-1}).mean().neg();
                        collector.backward(value);
                    }
                    loss = value.getFloat();
                    value.attach(scope);
                    adam.step(trainableParameters());
                }
            }
        } finally {
            train(false);
        }
        return loss;
    }

    /** Class of every location of a feature map {@code [B,C,H,W]}: {@code [B*H*W]} (batch-major, row-major). */
    public long[] predict(NDArray features) {
        try (NDManager scope = features.getManager().newSubManager()) {
            Shape s = features.getShape();
            NDArray tokens = features.transpose(0, 2, 3, 1).reshape(-1, s.get(1)).toType(DataType.FLOAT32, false); // [B*H*W, C]
            tokens.attach(scope);
            NDArray logits = linear.forward(tokens);
            return logits.argMax(-1).toLongArray();
        }
    }

    public int classes() {
        return classes;
    }

    Parameter weight() {
        return linear.weight();
    }
}
