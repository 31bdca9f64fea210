package dev.loupe.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.loupe.LoupeException;
import dev.loupe.tensor.Module;
import dev.loupe.tensor.Parameter;
import dev.loupe.tensor.Tensors;
import dev.loupe.tensor.nn.LayerNorm;
import dev.loupe.world.Caption;
import dev.loupe.world.Vocabulary;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The sample model's text encoder, the stand-in for PixArt's T5: a word tokenizer over ShapesWorld's
 * {@link Vocabulary} and a small pre-norm transformer encoder.
 * <pre>
 *   tokens     [START, w1 .. wn, PAD ..]              fixed length L = max_tokens; mask 1 on START and words
 *   x          token_embedding[tokens] + position_embedding          [B, L, D]
 *   layers.i   x += attn(norm1(x), padding mask);  x += ff(norm2(x))
 *   out        norm_out(x)                                           [B, L, D]
 * </pre>
 * The empty prompt ({@link #EMPTY}) is the start token alone: the unconditional caption of classifier-free
 * guidance. Prompts must follow the caption grammar ({@link Caption#parse}); an unknown word or a misplaced one is a
 * {@link dev.loupe.world.CaptionException} naming it.
 */
public final class PromptEncoder extends Module {
    public static final int PAD = 0;
    public static final int START = 1;
    /** Token of the first word of {@link Vocabulary#WORDS}; the others follow in order. */
    public static final int FIRST_WORD = 2;
    public static final int VOCABULARY_SIZE = FIRST_WORD + Vocabulary.size();
    /** The unconditional prompt. */
    public static final String EMPTY = "";

    private final PromptEncoderConfig config;
    private final Parameter tokenEmbedding;
    private final Parameter positionEmbedding;
    private final List<PromptEncoderLayer> layers;
    private final LayerNorm normOut;

    /** Prompts as token ids and mask, row-major [count, length]. */
    public record Tokens(int count, int length, int[] ids, float[] mask) {}

    /** Encoded prompts: embeddings [B, L, D] and mask [B, L] (1 keep, 0 padding), in the caller's manager. */
    public record Encoded(NDArray embeddings, NDArray mask) {}

    public PromptEncoder(NDManager manager, PromptEncoderConfig config) {
        super(manager);
        if (config.vocabularySize() != VOCABULARY_SIZE) {
            throw new LoupeException("the prompt encoder was made for a vocabulary of " + config.vocabularySize()
                    + " tokens, but ShapesWorld's vocabulary gives " + VOCABULARY_SIZE + " (a model from another version)");
        }
        this.config = config;
        int d = config.width();
        tokenEmbedding = parameter("token_embedding.weight", manager.randomNormal(new Shape(config.vocabularySize(), d)));
        positionEmbedding = parameter("position_embedding.weight", manager.randomNormal(new Shape(config.maxTokens(), d)));
        List<PromptEncoderLayer> list = new ArrayList<>();
        for (int i = 0; i < config.layers(); i++) list.add(child("layers." + i, new PromptEncoderLayer(manager, config)));
        layers = Collections.unmodifiableList(list);
        normOut = child("norm_out", new LayerNorm(manager, d, 1e-5f, true));
    }

    public PromptEncoderConfig config() {
        return config;
    }

    /** The token ids of one prompt, start token first, without padding. */
    public int[] tokenIds(String prompt) {
        int[] words = prompt.isBlank() ? new int[0] : wordIds(prompt);
        if (words.length + 1 > config.maxTokens()) {
            throw new LoupeException("prompt \"" + prompt + "\" has " + words.length + " words; the prompt encoder reads at most "
                    + (config.maxTokens() - 1));
        }
        int[] ids = new int[words.length + 1];
        ids[0] = START;
        for (int i = 0; i < words.length; i++) ids[i + 1] = FIRST_WORD + words[i];
        return ids;
    }

    private static int[] wordIds(String prompt) {
        Caption.parse(prompt); // the grammar check: names the word at fault
        return Vocabulary.ids(prompt);
    }

    /** Prompts padded to the fixed length. */
    public Tokens tokenize(List<String> prompts) {
        int length = config.maxTokens();
        int[] ids = new int[prompts.size() * length];
        float[] mask = new float[ids.length];
        for (int b = 0; b < prompts.size(); b++) {
            int[] row = tokenIds(prompts.get(b));
            System.arraycopy(row, 0, ids, b * length, row.length);
            for (int i = 0; i < row.length; i++) mask[b * length + i] = 1f;
        }
        return new Tokens(prompts.size(), length, ids, mask);
    }

    /** Tokenizes and encodes; results in {@code manager}. */
    public Encoded encode(NDManager manager, List<String> prompts) {
        return encode(manager, tokenize(prompts));
    }

    /** Encodes tokens; the embeddings and mask belong to {@code manager}, intermediates are freed. */
    public Encoded encode(NDManager manager, Tokens tokens) {
        int b = tokens.count();
        int l = tokens.length();
        int v = config.vocabularySize();
        NDArray mask = Tensors.of(manager, tokens.mask(), new Shape(b, l));
        try (NDManager scope = manager.newSubManager()) {
            float[] oneHot = new float[b * l * v];
            for (int i = 0; i < b * l; i++) oneHot[i * v + tokens.ids()[i]] = 1f;
            // [B, L, V] x [V, D]: an embedding lookup that autograd differentiates like any product
            NDArray x = Tensors.of(scope, oneHot, new Shape(b, l, v)).matMul(tokenEmbedding.array())
                    .add(positionEmbedding.array()); // [B, L, D]
            NDArray bias = mask.sub(1f).mul(10000f).reshape(b, 1, 1, l); // [B, 1, 1, L]: 0 keep, -10000 padding
            for (PromptEncoderLayer layer : layers) x = layer.forward(x, bias);
            NDArray out = normOut.forward(x);
            out.attach(manager);
            return new Encoded(out, mask);
        }
    }
}
