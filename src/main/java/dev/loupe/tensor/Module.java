package dev.loupe.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A tree of named tensors with PyTorch's dotted key names ({@code decoder.block_1.conv.0.weight}), so official
 * checkpoints load by name and sample models save in the same layout. DJL's own blocks number their children
 * ({@code 01conv}), which would break that mapping; the arithmetic itself is DJL's.
 *
 * <p>All parameters live in the {@link NDManager} given at construction, which the caller owns and closes.
 * Forward passes put their intermediate results in the manager of their input, so callers run them inside a
 * sub-manager and keep only what they need.
 */
public abstract class Module {
    protected final NDManager manager;
    private final Map<String, Parameter> parameters = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training;

    protected Module(NDManager manager) {
        this.manager = manager;
    }

    protected final Parameter parameter(String name, NDArray initial) {
        return register(name, initial, true);
    }

    protected final Parameter buffer(String name, NDArray initial) {
        return register(name, initial, false);
    }

    private Parameter register(String name, NDArray initial, boolean trainable) {
        if (parameters.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException("duplicate name in " + getClass().getSimpleName() + ": " + name);
        }
        Parameter p = new Parameter(initial, trainable);
        parameters.put(name, p);
        return p;
    }

    protected final <M extends Module> M child(String name, M module) {
        if (parameters.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException("duplicate name in " + getClass().getSimpleName() + ": " + name);
        }
        children.put(name, module);
        return module;
    }

    public final NDManager manager() {
        return manager;
    }

    /** Every tensor by full key, in registration order (parameters and buffers). */
    public final Map<String, Parameter> namedParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        collect("", out);
        return out;
    }

    private void collect(String prefix, Map<String, Parameter> out) {
        parameters.forEach((k, v) -> out.put(prefix + k, v));
        children.forEach((k, v) -> v.collect(prefix + k + ".", out));
    }

    /** The tensors an optimiser updates. */
    public final Map<String, Parameter> trainableParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        namedParameters().forEach((k, v) -> {
            if (v.trainable()) out.put(k, v);
        });
        return out;
    }

    public final long parameterCount() {
        return trainableParameters().values().stream().mapToLong(p -> p.array().size()).sum();
    }

    public final Map<String, NDArray> stateDict() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        namedParameters().forEach((k, v) -> out.put(k, v.array()));
        return out;
    }

    /**
     * Copies tensors into the model by key. Every difference (missing, unexpected or mis-shaped key) is reported
     * at once; nothing is changed unless the whole file fits. Keys that {@code ignore} accepts are skipped on both
     * sides (for example {@code num_batches_tracked}).
     */
    public final void load(Map<String, NDArray> state, String source, Predicate<String> ignore) {
        Map<String, Parameter> mine = namedParameters();
        List<String> missing = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        List<String> misShaped = new ArrayList<>();
        for (Map.Entry<String, Parameter> e : mine.entrySet()) {
            if (ignore.test(e.getKey())) continue;
            NDArray given = state.get(e.getKey());
            if (given == null) {
                missing.add(e.getKey());
            } else if (!given.getShape().equals(e.getValue().array().getShape())) {
                misShaped.add(e.getKey() + " " + given.getShape() + " instead of " + e.getValue().array().getShape());
            }
        }
        for (String key : state.keySet()) {
            if (!mine.containsKey(key) && !ignore.test(key)) unexpected.add(key);
        }
        if (!missing.isEmpty() || !unexpected.isEmpty() || !misShaped.isEmpty()) {
            throw new WeightMismatchException(source, missing, unexpected, misShaped);
        }
        for (Map.Entry<String, Parameter> e : mine.entrySet()) {
            NDArray given = state.get(e.getKey());
            if (given == null) continue;
            Parameter p = e.getValue();
            // duplicate(), not toType(same type, copy=true): libtorch's to() returns an alias when nothing changes,
            // and an alias of a safetensors buffer dangles once the loader's arrays are closed and collected.
            DataType type = p.array().getDataType();
            NDArray copy = given.getDataType() == type ? given.duplicate() : given.toType(type, true);
            copy.attach(manager);
            copy.setName(e.getKey());
            p.set(copy);
        }
        refreshGradients();
    }

    public final void load(Map<String, NDArray> state, String source) {
        load(state, source, key -> false);
    }

    /** Reads a safetensors file and loads it (see {@link #load(Map, String, Predicate)}). */
    public final void load(Path file, Predicate<String> ignore) {
        try (NDManager scratch = manager.newSubManager()) {
            load(SafeTensors.read(file, scratch), file.toString(), ignore);
        }
    }

    public final void save(Path file) throws java.io.IOException {
        SafeTensors.write(file, stateDict());
    }

    /** Training mode: BatchNorm uses batch statistics and updates its running ones; gradients are recorded. */
    public final void train(boolean on) {
        training = on;
        children.values().forEach(c -> c.train(on));
        refreshGradients();
    }

    public final boolean isTraining() {
        return training;
    }

    private void refreshGradients() {
        for (Parameter p : namedParameters().values()) {
            if (p.trainable()) p.array().setRequiresGradient(training);
        }
    }

    /** PyTorch's default initialisation for linear and convolution layers: U(-1/sqrt(fan_in), 1/sqrt(fan_in)). */
    protected static NDArray uniformFanIn(NDManager manager, Shape shape, long fanIn) {
        float bound = (float) (1.0 / Math.sqrt(Math.max(1, fanIn)));
        return manager.randomUniform(-bound, bound, shape);
    }
}
