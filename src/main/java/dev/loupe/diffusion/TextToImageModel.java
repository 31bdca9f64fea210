package dev.loupe.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import dev.loupe.LoupeException;
import dev.loupe.diffusion.cache.CacheState;
import dev.loupe.models.ModelCard;
import dev.loupe.tensor.AtomicFiles;
import dev.loupe.tensor.Module;
import dev.loupe.tensor.Tensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A text-to-image diffusion model in pixel space: a {@link PromptEncoder} ({@code prompt_encoder.*}) and a
 * {@link PixArtTransformer} ({@code transformer.*}) trained together. On disk it is a model folder: a card
 * ({@code model.json}, holding the configuration under {@code config}, {@code prompt_encoder} and {@code sampler})
 * and two weight files, {@link #TRANSFORMER_FILE} with diffusers' PixArt key names (so {@code loupe dit steps} and
 * {@code loupe macs} read it as any PixArt checkpoint) and {@link #PROMPT_ENCODER_FILE}.
 */
public final class TextToImageModel extends Module {
    public static final String TRANSFORMER_FILE = "transformer.safetensors";
    public static final String PROMPT_ENCODER_FILE = "prompt_encoder.safetensors";
    public static final String CARD_FILE = "model.json";

    private final TextToImageConfig config;
    private final PromptEncoder promptEncoder;
    private final PixArtTransformer transformer;

    /** A model with random weights (train it, or load weights). */
    public TextToImageModel(NDManager manager, TextToImageConfig config) {
        super(manager);
        this.config = config;
        promptEncoder = child("prompt_encoder", new PromptEncoder(manager, config.promptEncoder()));
        transformer = child("transformer", new PixArtTransformer(manager, config.transformer()));
    }

    public TextToImageConfig config() {
        return config;
    }

    public PromptEncoder promptEncoder() {
        return promptEncoder;
    }

    public PixArtTransformer transformer() {
        return transformer;
    }

    /**
     * The velocity the model predicts for images {@code x} [B, 3, S, S] at time {@code t} (1 = noise, 0 = image) with
     * the given caption embeddings, under {@code cache} (or none): the transformer sees the model timestep, and its
     * output is read as the card's {@link Prediction} says. The arrays made here belong to {@code x}'s manager.
     */
    public NDArray velocity(NDArray x, double t, NDArray captions, NDArray captionMask, CacheState cache) {
        NDArray timestep = Tensors.of(x.getManager(), new float[] {(float) (RectifiedFlow.TIMESTEP_SCALE * t)}, new Shape(1));
        NDArray output = transformer.forward(x, timestep, captions, captionMask, cache);
        return config.prediction().velocity(output, x, Tensors.of(x.getManager(), new float[] {(float) t}, new Shape(1)));
    }

    /** A copy of this model's weights in {@code manager}, trained apart from it (a frozen reference, for example). */
    public TextToImageModel copy(NDManager manager) {
        TextToImageModel copy = new TextToImageModel(manager, config);
        copy.load(stateDict(), "a copy of the model", key -> false);
        return copy;
    }

    /** Reads a model folder: checks the card's SHA-256s, builds the model in {@code manager} and loads the weights. */
    public static TextToImageModel load(NDManager manager, Path folder) {
        Path cardFile = folder.resolve(CARD_FILE);
        if (!Files.isRegularFile(cardFile)) throw new LoupeException(folder + " is not a model folder: it has no " + CARD_FILE);
        ModelCard card = ModelCard.read(folder);
        for (String file : new String[] {TRANSFORMER_FILE, PROMPT_ENCODER_FILE}) {
            if (!card.files().containsKey(file)) throw new LoupeException(cardFile + " does not list " + file);
        }
        card.verify();
        TextToImageModel model = new TextToImageModel(manager, TextToImageConfig.fromCard(card.json(), cardFile.toString()));
        model.transformer.load(folder.resolve(TRANSFORMER_FILE));
        model.promptEncoder.load(folder.resolve(PROMPT_ENCODER_FILE), key -> false);
        return model;
    }

    /**
     * Writes the weights and the card into {@code folder} (each file atomically, the card last): {@code card} gives
     * the free-form sections (name, description, command, data, metrics ...); the configuration and the files'
     * SHA-256 are filled in here.
     */
    public void save(Path folder, JsonObject card) throws IOException {
        Files.createDirectories(folder);
        transformer.save(folder.resolve(TRANSFORMER_FILE));
        promptEncoder.save(folder.resolve(PROMPT_ENCODER_FILE));
        JsonObject out = card.deepCopy();
        config.writeTo(out);
        JsonObject files = new JsonObject();
        for (String file : new String[] {TRANSFORMER_FILE, PROMPT_ENCODER_FILE}) {
            JsonObject entry = new JsonObject();
            entry.addProperty("sha256", ModelCard.sha256(folder.resolve(file)));
            files.add(file, entry);
        }
        out.add("files", files);
        writeCard(folder, out);
    }

    /** Changes the card of a model folder (for figures measured after training); the weights stay as they are. */
    public static void updateCard(Path folder, java.util.function.Consumer<JsonObject> change) throws IOException {
        JsonObject card = ModelCard.read(folder).json();
        change.accept(card);
        writeCard(folder, card);
    }

    private static void writeCard(Path folder, JsonObject card) throws IOException {
        AtomicFiles.writeString(folder.resolve(CARD_FILE), new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(card) + "\n");
    }
}
