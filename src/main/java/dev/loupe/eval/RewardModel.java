package dev.loupe.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.loupe.LoupeException;
import dev.loupe.eval.reward.Prediction;
import dev.loupe.eval.reward.RewardConfig;
import dev.loupe.eval.reward.RewardNet;
import dev.loupe.eval.reward.RewardPrompt;
import dev.loupe.eval.reward.RewardRule;
import dev.loupe.models.LoupeHome;
import dev.loupe.models.ModelCard;
import dev.loupe.tensor.AtomicFiles;
import dev.loupe.tensor.Resize;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How well an image matches a ShapesWorld prompt (the analogue of ImageReward in ECAD): a small CNN
 * ({@link RewardNet}) reads which (colour, shape) pairs the image shows, how many objects and which background,
 * and {@link RewardRule} turns that into the probability that the image shows exactly what the prompt says, a
 * number in [0, 1] where higher is better.
 *
 * <p>Images are {@code [B, 3, H, W]} RGB in [0, 1]; sizes other than the model's (32x32) are resized with
 * torchvision's antialiased bilinear resize. Prompts follow the caption grammar of {@link dev.loupe.world.Caption};
 * anything else gets a {@link dev.loupe.world.CaptionException} naming the word at fault.
 *
 * <p>The network's parameters live in the manager given to {@link #load}; the caller owns and closes it. Scoring
 * runs in sub-managers of the images' manager and leaves nothing behind.
 */
public final class RewardModel {
    /** Name of the shipped model's folder in {@code sample-models/}. */
    public static final String NAME = "reward";
    /** The weight file in a reward model folder. */
    public static final String WEIGHTS = "reward.safetensors";
    /** Images scored per forward pass (bounds memory for large batches). */
    static final int CHUNK = 256;

    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();

    private final RewardNet net;

    public RewardModel(RewardNet net) {
        this.net = net;
    }

    /** Reads a model folder ({@code model.json} with an {@code architecture} section, and {@link #WEIGHTS}). */
    public static RewardModel load(Path folder, NDManager manager) {
        if (!Files.isRegularFile(folder.resolve("model.json"))) {
            throw new LoupeException(folder + " is not a reward model folder: it has no model.json");
        }
        ModelCard card = ModelCard.read(folder);
        if (!"reward".equals(card.kind())) {
            throw new LoupeException(folder.resolve("model.json") + " describes a model of kind '" + card.kind()
                    + "', not a reward model");
        }
        card.verify();
        JsonElement architecture = card.json().get("architecture");
        if (architecture == null) throw new LoupeException(folder.resolve("model.json") + " has no 'architecture' section");
        RewardConfig config = RewardConfig.fromJson(architecture, folder.resolve("model.json").toString());
        Path weights = folder.resolve(WEIGHTS);
        if (!Files.isRegularFile(weights)) throw new LoupeException(weights + " is missing");
        RewardNet net = new RewardNet(manager, config);
        net.load(weights, key -> false);
        return new RewardModel(net);
    }

    /**
     * Writes a model folder: the network's weights as {@link #WEIGHTS}, and {@code card} (name, description,
     * metrics, ...) completed with the {@code kind}, the {@code architecture} and the weights' SHA-256 as
     * {@code model.json}. Both files are written atomically, the card last.
     */
    public static void writeFolder(Path folder, RewardNet net, JsonObject card) throws IOException {
        Files.createDirectories(folder);
        Path weights = folder.resolve(WEIGHTS);
        net.save(weights);
        JsonObject out = card.deepCopy();
        out.addProperty("kind", "reward");
        JsonObject architecture = net.config().toJson();
        if (card.has("architecture")) card.getAsJsonObject("architecture").entrySet().forEach(e -> architecture.add(e.getKey(), e.getValue()));
        out.add("architecture", architecture);
        JsonObject files = new JsonObject();
        JsonObject entry = new JsonObject();
        entry.addProperty("sha256", ModelCard.sha256(weights));
        files.add(WEIGHTS, entry);
        out.add("files", files);
        AtomicFiles.writeString(folder.resolve("model.json"), GSON.toJson(out) + "\n");
    }

    /** The shipped model, {@code sample-models/reward}. */
    public static RewardModel shipped(NDManager manager) {
        return load(LoupeHome.sampleModel(NAME), manager);
    }

    public RewardNet net() {
        return net;
    }

    public RewardConfig config() {
        return net.config();
    }

    /** One reward per image, every image scored against the same prompt. */
    public float[] score(NDArray images, String prompt) {
        RewardPrompt parsed = RewardPrompt.parse(prompt);
        List<RewardPrompt> prompts = new ArrayList<>();
        for (long b = 0; b < batchSize(images); b++) prompts.add(parsed);
        return scoreParsed(images, prompts);
    }

    /** One reward per image against its own prompt; {@code prompts.size()} must be the batch size. */
    public float[] score(NDArray images, List<String> prompts) {
        Map<String, RewardPrompt> parsed = new HashMap<>();
        List<RewardPrompt> list = new ArrayList<>(prompts.size());
        for (String p : prompts) list.add(parsed.computeIfAbsent(p, RewardPrompt::parse));
        return scoreParsed(images, list);
    }

    /** As {@link #score(NDArray, List)} for prompts parsed once by the caller. */
    public float[] scoreParsed(NDArray images, List<RewardPrompt> prompts) {
        if (prompts.size() != batchSize(images)) {
            throw new IllegalArgumentException(prompts.size() + " prompts for " + batchSize(images) + " images");
        }
        List<Prediction> predictions = predict(images);
        float[] rewards = new float[predictions.size()];
        for (int i = 0; i < rewards.length; i++) rewards[i] = (float) RewardRule.reward(predictions.get(i), prompts.get(i));
        return rewards;
    }

    /** What the model sees in each image. */
    public List<Prediction> predict(NDArray images) {
        long n = batchSize(images);
        int size = config().imageSize();
        List<Prediction> out = new ArrayList<>((int) n);
        for (long from = 0; from < n; from += CHUNK) {
            long to = Math.min(n, from + CHUNK);
            float[] logits;
            try (NDManager scope = images.getManager().newSubManager()) {
                NDArray chunk = images.get(new NDIndex("{}:{}", from, to));
                chunk.attach(scope);
                chunk = chunk.toType(DataType.FLOAT32, false);
                if (chunk.getShape().get(2) != size || chunk.getShape().get(3) != size) {
                    chunk = Resize.torchvisionBilinear(chunk, size, size);
                }
                logits = net.forward(chunk).toFloatArray();
            }
            for (int b = 0; b < to - from; b++) out.add(Prediction.fromLogits(logits, b));
        }
        return out;
    }

    private static long batchSize(NDArray images) {
        Shape s = images.getShape();
        if (s.dimension() != 4 || s.get(1) != 3) {
            throw new IllegalArgumentException("the reward model scores RGB batches [B, 3, H, W], got " + s);
        }
        return s.get(0);
    }
}
