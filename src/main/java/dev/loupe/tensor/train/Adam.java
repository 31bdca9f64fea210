package dev.loupe.tensor.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.loupe.LoupeException;
import dev.loupe.tensor.Parameter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code torch.optim.Adam} (no AMSGrad), written out so that its state can be saved with a checkpoint and a
 * training run resumed exactly: DJL's optimisers keep their moments out of reach. The update is PyTorch's:
 * <pre>
 *   m = b1 m + (1 - b1) g;   v = b2 v + (1 - b2) g^2
 *   p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
 * </pre>
 * with optional L2 weight decay added to the gradient (PyTorch's {@code weight_decay}).
 *
 * <p>Moments live in the manager given at construction. Call {@link #step} after the gradient collector is closed
 * (outside grad mode), so the parameters can be updated in place.
 */
public final class Adam {
    private final NDManager manager;
    private final float lr;
    private final float beta1;
    private final float beta2;
    private final float eps;
    private final float weightDecay;
    private final Map<String, NDArray> firstMoment = new LinkedHashMap<>();
    private final Map<String, NDArray> secondMoment = new LinkedHashMap<>();
    private long step;

    public Adam(NDManager manager, float lr, float beta1, float beta2, float eps, float weightDecay) {
        this.manager = manager;
        this.lr = lr;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
    }

    /** PyTorch's defaults: betas (0.9, 0.999), eps 1e-8, no weight decay. */
    public Adam(NDManager manager, float lr) {
        this(manager, lr, 0.9f, 0.999f, 1e-8f, 0f);
    }

    public long stepCount() {
        return step;
    }

    public float learningRate() {
        return lr;
    }

    /** Updates every parameter that has a gradient, then zeroes the gradients. */
    public void step(Map<String, Parameter> parameters) {
        step(parameters, lr);
    }

    /** {@link #step(Map)} with the learning rate of this step (for warm-up and decay schedules). */
    public void step(Map<String, Parameter> parameters, float learningRate) {
        step++;
        double bias1 = 1 - Math.pow(beta1, step);
        double bias2Sqrt = Math.sqrt(1 - Math.pow(beta2, step));
        float stepSize = (float) (learningRate / bias1);
        for (Map.Entry<String, Parameter> e : parameters.entrySet()) {
            NDArray p = e.getValue().array();
            if (!p.hasGradient()) continue;
            try (NDManager scratch = manager.newSubManager()) {
                NDArray g = p.getGradient();
                g.attach(scratch);
                NDArray grad = weightDecay == 0 ? g : g.add(p.mul(weightDecay));
                NDArray m = firstMoment.computeIfAbsent(e.getKey(), k -> zerosLike(p));
                NDArray v = secondMoment.computeIfAbsent(e.getKey(), k -> zerosLike(p));
                m.muli(beta1).addi(grad.mul(1 - beta1));
                v.muli(beta2).addi(grad.square().muli(1 - beta2));
                // results of operations on m and v would belong to this optimiser's manager: keep them in scratch
                NDArray denom = v.sqrt();
                denom.attach(scratch);
                denom.divi((float) bias2Sqrt).addi(eps);
                NDArray update = m.div(denom);
                update.attach(scratch);
                p.subi(update.muli(stepSize));
                g.subi(g); // zero the gradient for the next step
            }
        }
    }

    private NDArray zerosLike(NDArray p) {
        NDArray z = manager.zeros(p.getShape(), p.getDataType());
        return z;
    }

    /** Moments and step as tensors: {@code step}, {@code exp_avg.KEY}, {@code exp_avg_sq.KEY}. */
    public Map<String, NDArray> stateDict() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        out.put("step", manager.create(new long[] {step}, new Shape(1)));
        firstMoment.forEach((k, v) -> out.put("exp_avg." + k, v));
        secondMoment.forEach((k, v) -> out.put("exp_avg_sq." + k, v));
        return out;
    }

    /** Restores {@link #stateDict()}; moments for unknown parameters are refused with a clear message. */
    public void load(Map<String, NDArray> state, Map<String, Parameter> parameters, String source) {
        NDArray s = state.get("step");
        if (s == null) throw new LoupeException(source + " has no optimiser step count ('step')");
        long restored = s.toType(DataType.INT64, false).toLongArray()[0];
        Map<String, NDArray> m = new LinkedHashMap<>();
        Map<String, NDArray> v = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : state.entrySet()) {
            String k = e.getKey();
            if (k.equals("step")) continue;
            Map<String, NDArray> target;
            String name;
            if (k.startsWith("exp_avg_sq.")) {
                target = v;
                name = k.substring("exp_avg_sq.".length());
            } else if (k.startsWith("exp_avg.")) {
                target = m;
                name = k.substring("exp_avg.".length());
            } else {
                throw new LoupeException(source + " holds an unknown optimiser tensor '" + k + "'");
            }
            Parameter p = parameters.get(name);
            if (p == null) throw new LoupeException(source + " has optimiser state for '" + name + "', which the model does not have");
            if (!p.array().getShape().equals(e.getValue().getShape())) {
                throw new LoupeException(source + ": optimiser state for '" + name + "' has shape " + e.getValue().getShape()
                        + " but the parameter has " + p.array().getShape());
            }
            NDArray copy = e.getValue().toType(p.array().getDataType(), true);
            copy.attach(manager);
            target.put(name, copy);
        }
        firstMoment.values().forEach(NDArray::close);
        secondMoment.values().forEach(NDArray::close);
        firstMoment.clear();
        secondMoment.clear();
        firstMoment.putAll(m);
        secondMoment.putAll(v);
        step = restored;
    }
}
