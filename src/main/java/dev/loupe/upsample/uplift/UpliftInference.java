package dev.loupe.upsample.uplift;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BinaryOperator;
import java.util.function.UnaryOperator;

/**
 * UPLiFT for inference: the same function as {@link Uplift#forward} in eval mode, computed with BatchNorm folded
 * into the convolutions, the streaming {@link LocalAttenderKernel}, only the encoder outputs the decoder reads kept,
 * and every temporary released as soon as it is used. Peak memory is a few times the final output.
 *
 * <p>Holds a snapshot of the model's weights taken at construction (reload: make a new one). Not thread-safe.
 */
public final class UpliftInference implements AutoCloseable {
    private final Uplift model;
    private final NDManager weights;
    private final UpliftEncoder.Compiled encoder;
    private final UpliftDecoder.Compiled decoder;
    private final BinaryOperator<NDArray> attender;
    private final UnaryOperator<NDArray> refiner;
    private final boolean[] keep;

    UpliftInference(Uplift model) {
        this.model = model;
        weights = model.manager().newSubManager();
        encoder = model.encoder().compile(weights);
        decoder = model.decoder().compile(weights);
        attender = model.attender() == null ? null : model.attender().compile(weights);
        refiner = model.refiner() == null ? null : model.refiner().compile(weights);
        int outputs = model.encoder().outChannels().length;
        keep = new boolean[outputs];
        for (int i = 0; i < model.decoder().encoderInputs(); i++) keep[outputs - 1 - i] = true;
        if (model.refiner() != null) keep[model.refinerEncoderIndex()] = true;
    }

    public Uplift model() {
        return model;
    }

    /**
     * Upsamples {@code iters} times. image {@code [B,3,H,W]} normalised for the backbone, features {@code [B,C,h,w]}.
     * Returns every step when {@code allSteps}, else only the last; results are in the features' manager.
     */
    public List<NDArray> run(NDArray image, NDArray features, int iters, boolean allSteps) {
        model.checkInputs(image, features, iters);
        if (model.isTraining()) throw new IllegalStateException("the model is in training mode; inference needs eval mode");
        List<NDArray> steps = new ArrayList<>();
        List<NDArray> enc = null;
        NDArray x = features;
        for (int i = 0; i < iters; i++) {
            if (enc == null || !model.config().uplift().encShare()) {
                release(enc);
                NDArray img = i > 0 ? model.scaledImage(image, i) : image;
                NDArray scaled = model.prescale(img);
                enc = encoder.apply(scaled, keep);
                if (scaled != img) scaled.close();
                if (img != image) img.close();
            }
            boolean last = i == iters - 1;
            NDArray y = stepWith(x, enc, last);
            if (last) enc = null; // released inside, before the attender's output is allocated
            if (x != features && !allSteps) x.close();
            if (allSteps) steps.add(y);
            x = y;
        }
        release(enc);
        if (!allSteps) steps.add(x);
        return steps;
    }

    /** The last step only. */
    public NDArray run(NDArray image, NDArray features, int iters) {
        return run(image, features, iters, false).get(0);
    }

    private NDArray stepWith(NDArray x, List<NDArray> enc, boolean last) {
        NDArray guide = decoder.apply(x, enc);
        if (last && refiner == null) release(enc); // the encoder's outputs are not needed any more
        NDArray y = guide;
        if (attender != null) {
            y = attender.apply(guide, x);
            guide.close();
        }
        if (refiner != null) {
            UpliftConfig.Refiner r = model.config().uplift().refiner();
            NDArray in = UpliftDecoder.combine(y, enc.get(model.refinerEncoderIndex()), r.ncatC(), (float) r.ncatS(), r.encResample());
            y.close();
            NDArray refined = refiner.apply(in);
            in.close();
            y = Ops.scoped(refined, model.refinerOut()::forward);
            refined.close();
            if (last) release(enc);
        }
        return y;
    }

    private static void release(List<NDArray> enc) {
        if (enc != null) enc.stream().filter(a -> a != null).forEach(NDArray::close);
    }

    @Override
    public void close() {
        weights.close();
    }
}
