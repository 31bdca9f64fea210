package dev.loupe.tensor.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.loupe.LoupeException;
import dev.loupe.tensor.AtomicFiles;
import dev.loupe.tensor.Module;
import dev.loupe.tensor.SafeTensors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A training checkpoint in a folder, each file written atomically:
 * <ul>
 *   <li>{@code model.safetensors}: the weights under the model's own key names (loadable as a model file);</li>
 *   <li>{@code optimizer.safetensors}: the optimiser's moments and step;</li>
 *   <li>{@code checkpoint.json}: the training step and free-form metadata (configuration, losses, ...), written
 *   last, so a folder whose JSON names a step holds the weights of that step.</li>
 * </ul>
 */
public final class Checkpoint {
    public static final String MODEL = "model.safetensors";
    public static final String OPTIMIZER = "optimizer.safetensors";
    public static final String META = "checkpoint.json";
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();

    private Checkpoint() {}

    /** The step and metadata of a saved checkpoint. */
    public record Info(long step, JsonObject metadata) {
        /** The per-step loss history the trainer saved under {@code losses}, oldest first (empty if none). */
        public List<Double> losses() {
            List<Double> out = new ArrayList<>();
            if (metadata.has("losses")) metadata.getAsJsonArray("losses").forEach(e -> out.add(e.getAsDouble()));
            return out;
        }

        /** A number the trainer saved (such as seconds trained so far), or {@code missing} for older checkpoints. */
        public double number(String key, double missing) {
            return metadata.has(key) ? metadata.get(key).getAsDouble() : missing;
        }
    }

    /**
     * Saves the weights, the optimiser and, last, the step with the trainer's metadata and its per-step loss history
     * (under {@code losses}, which {@link Info#losses()} reads back).
     */
    public static void save(Path dir, Module model, Adam optimizer, long step, List<Double> losses, JsonObject metadata) {
        JsonObject described = metadata == null ? new JsonObject() : metadata.deepCopy();
        JsonArray history = new JsonArray();
        losses.forEach(history::add);
        described.add("losses", history);
        JsonObject meta = new JsonObject();
        meta.addProperty("step", step);
        meta.add("metadata", described);
        try {
            Files.createDirectories(dir);
            model.save(dir.resolve(MODEL));
            SafeTensors.write(dir.resolve(OPTIMIZER), optimizer.stateDict());
            AtomicFiles.writeString(dir.resolve(META), GSON.toJson(meta));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the checkpoint in " + dir, e);
        }
    }

    public static boolean exists(Path dir) {
        return Files.isRegularFile(dir.resolve(META));
    }

    /** Reads only the step and metadata. */
    public static Info info(Path dir) {
        Path file = dir.resolve(META);
        try {
            JsonObject meta = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
            long step = meta.get("step").getAsLong();
            JsonObject md = meta.has("metadata") ? meta.getAsJsonObject("metadata") : new JsonObject();
            return new Info(step, md);
        } catch (IOException e) {
            throw new LoupeException(file + ": cannot be read (" + e.getMessage() + ")", e);
        } catch (JsonParseException | IllegalStateException | NullPointerException | UnsupportedOperationException e) {
            throw new LoupeException(file + " is not a Loupe checkpoint description (expected {\"step\": N, \"metadata\": {...}})");
        }
    }

    /** Loads weights and optimiser state into existing objects and returns the saved step and metadata. */
    public static Info resume(Path dir, Module model, Adam optimizer, Predicate<String> ignoreKeys) {
        Info info = info(dir);
        model.load(dir.resolve(MODEL), ignoreKeys);
        try (NDManager scratch = model.manager().newSubManager()) {
            Map<String, NDArray> state = SafeTensors.read(dir.resolve(OPTIMIZER), scratch);
            optimizer.load(state, model.trainableParameters(), dir.resolve(OPTIMIZER).toString());
        }
        if (optimizer.stepCount() != info.step()) {
            throw new LoupeException(dir + ": the optimiser state is from step " + optimizer.stepCount()
                    + " but the checkpoint says step " + info.step() + " (a partly written checkpoint?)");
        }
        return info;
    }
}
