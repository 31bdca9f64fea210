package dev.loupe.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import dev.loupe.LoupeException;
import dev.loupe.backbone.Backbone;
import dev.loupe.backbone.SampleVitBackbone;
import dev.loupe.tensor.Module;
import dev.loupe.tensor.SafeTensors;
import dev.loupe.tensor.nn.Activations;
import dev.loupe.tensor.nn.Linear;
import dev.loupe.tensor.train.Adam;
import dev.loupe.world.RenderedScene;
import dev.loupe.world.WorldBatch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * REPA (Yu et al., "Representation Alignment for Generation", ICLR 2025) for the sample DiT: an extra training
 * loss that pulls the transformer's hidden tokens after an early block, through a small trained projector, towards
 * a pretrained vision encoder's patch features of the clean image: {@code weight * (1 - cos(proj(h), f))}, averaged
 * over patches. The encoder here is the sample ViT, which has learned ShapesWorld's shapes, so the DiT need not
 * discover them from the pixel loss alone. The encoder sees the same scene rendered at {@code grid x patch} pixels
 * for a chosen patch grid: the DiT's own, or a coarser one that divides it, to which the DiT's tokens are
 * average-pooled (a model with small patches then need not pay for the encoder on a large image). Only the training
 * changes: the projector is not part of the shipped model.
 */
public final class RepresentationAlignment {
    /** Files of the projector and its optimiser in a training checkpoint folder. */
    static final String PROJECTOR_FILE = "alignment.safetensors";
    static final String OPTIMIZER_FILE = "alignment-optimizer.safetensors";
    /** Files of the shape head and its optimiser (only in runs with a shape term). */
    static final String SHAPE_HEAD_FILE = "shape-head.safetensors";
    static final String SHAPE_OPTIMIZER_FILE = "shape-head-optimizer.safetensors";
    /** REPA's projector width (its 3-layer MLP, narrowed for a width-128 model). */
    static final int PROJECTOR_WIDTH = 512;

    private final Backbone teacher;
    private final Projector projector;
    private final Adam adam;
    private final int afterBlock;
    private final double weight;
    private final int teacherSize;
    /** The teacher's patch grid per side. */
    private final int grid;
    /** DiT tokens averaged, per side, into one teacher patch (1: the grids are the same). */
    private final int pool;
    /** Weight of the shape term (0: none) and its head, which reads each token's pixels' shape classes. */
    private final double shapeWeight;
    /** Weight of the perceptual term (0: none). */
    private final double perceptualWeight;
    private final ShapeHead shapeHead;
    private final Adam shapeAdam;
    private final int patch;

    /**
     * @param model      the DiT being trained (its width, patch grid and manager)
     * @param teacher    the encoder whose features are the targets (not trained; closed by the caller)
     * @param afterBlock the tokens after this many blocks are aligned
     * @param weight     the loss weight (REPA's lambda)
     * @param grid       the teacher's patch grid per side: the DiT's token grid or a divisor of it
     */
    public RepresentationAlignment(TextToImageModel model, Backbone teacher, int afterBlock, double weight, int grid, float learningRate, long seed) {
        this(model, teacher, afterBlock, weight, grid, 0, 0, learningRate, seed);
    }

    /**
     * With a shape term of weight {@code shapeWeight} (0: none): a linear head on the same tokens names the shape
     * class of each of the token's pixels in the clean scene (cross-entropy against the class mask). At high noise
     * only the caption tells the shapes, so the term makes the early blocks carry the caption's shape words to
     * where the objects will be.
     *
     * <p>With a perceptual term of weight {@code perceptualWeight} (0: none): the teacher also reads the model's
     * estimate of the clean image, x_t - t v, and the term is {@code (1 - t) (1 - cos)} between its patch features and
     * those of the clean image, averaged over patches and the batch. A square differs from a disc in a few corner
     * pixels, which the pixel loss weighs like any others; the teacher, which tells shape kinds apart, weighs them by
     * what they change about the shape. The {@code 1 - t} leaves the noisiest steps, whose estimate is a blur, to
     * the pixel loss.
     */
    public RepresentationAlignment(TextToImageModel model, Backbone teacher, int afterBlock, double weight, int grid,
            double shapeWeight, double perceptualWeight, float learningRate, long seed) {
        PixArtConfig c = model.config().transformer();
        if (afterBlock < 1 || afterBlock > c.numLayers()) {
            throw new LoupeException("alignment after block " + afterBlock + ": the model has blocks 1 to " + c.numLayers());
        }
        if (!(weight > 0)) throw new LoupeException("the alignment weight must be positive, not " + weight);
        int ditGrid = c.sampleSize() / c.patchSize();
        if (grid < 1 || ditGrid % grid != 0) {
            throw new LoupeException("alignment grid " + grid + ": must divide the model's " + ditGrid + "x" + ditGrid + " token grid");
        }
        this.teacher = teacher;
        this.afterBlock = afterBlock;
        this.weight = weight;
        this.grid = grid;
        this.pool = ditGrid / grid;
        this.teacherSize = grid * teacher.patchSize();
        this.projector = new Projector(model.manager(), c.innerDim(), PROJECTOR_WIDTH, teacher.channels());
        this.adam = new Adam(model.manager(), learningRate);
        projector.initialise(seed);
        projector.train(true);
        if (!(shapeWeight >= 0)) throw new LoupeException("the shape weight cannot be negative, not " + shapeWeight);
        if (!(perceptualWeight >= 0)) throw new LoupeException("the perceptual weight cannot be negative, not " + perceptualWeight);
        if (perceptualWeight > 0 && !(teacher instanceof SampleVitBackbone)) {
            throw new LoupeException("the perceptual term differentiates through its teacher, which must be a sample ViT, not " + teacher.name());
        }
        this.perceptualWeight = perceptualWeight;
        this.shapeWeight = shapeWeight;
        this.patch = c.patchSize();
        this.shapeHead = shapeWeight > 0 ? new ShapeHead(model.manager(), c.innerDim(), patch * patch * SHAPE_CLASSES) : null;
        this.shapeAdam = shapeWeight > 0 ? new Adam(model.manager(), learningRate) : null;
        if (shapeHead != null) {
            shapeHead.initialise(seed);
            shapeHead.train(true);
        }
    }

    /** Background and the eight shapes of ShapesWorld's class masks. */
    static final int SHAPE_CLASSES = 9;

    /** The shape term's head (null without one). */
    ShapeHead shapeHead() {
        return shapeHead;
    }

    /**
     * The weighted alignment loss plus, with a shape term, its weighted cross-entropy against the class masks
     * {@code [B, S, S]} of the model-size scenes.
     */
    NDArray weightedLoss(NDArray tokens, NDArray targets, NDArray classMasks) {
        NDArray total = loss(tokens, targets).mul((float) weight);
        if (shapeHead == null) return total;
        return total.add(shapeLoss(tokens, classMasks).mul((float) shapeWeight));
    }

    /** Mean cross-entropy of the shape head's per-pixel classes against {@code classMasks [B, S, S]}. */
    NDArray shapeLoss(NDArray tokens, NDArray classMasks) {
        long b = tokens.getShape().get(0);
        long side = classMasks.getShape().get(1);
        long g = side / patch;
        NDArray logits = shapeHead.forward(tokens) // [B, g*g, p*p*K] -> [B, S, S, K]
                .reshape(b, g, g, patch, patch, SHAPE_CLASSES).transpose(0, 1, 3, 2, 4, 5)
                .reshape(b, side, side, SHAPE_CLASSES);
        NDArray oneHot = classMasks.oneHot(SHAPE_CLASSES).toType(ai.djl.ndarray.types.DataType.FLOAT32, false);
        return logits.logSoftmax(-1).mul(oneHot).sum(new int[] {-1}).mean().neg();
    }

    public int afterBlock() {
        return afterBlock;
    }

    public double weight() {
        return weight;
    }

    /** The side at which the teacher sees a scene: its patch grid is the alignment grid. */
    public int teacherSize() {
        return teacherSize;
    }

    /** The terms this alignment adds to the loss, as the progress line names their sum. */
    String termNames() {
        return "REPA" + (shapeHead != null ? " + shape" : "") + (hasPerceptualTerm() ? " + perceptual" : "");
    }

    boolean hasPerceptualTerm() {
        return perceptualWeight > 0;
    }

    /**
     * Unit-length teacher tokens {@code [B, grid*grid, C]} of images {@code [B, 3, S, S]} in [-1, 1] at the model's
     * size, each pixel repeated to the teacher's input size; with {@code keepGraph} the tokens stay a function of the
     * images, else they are constants.
     */
    NDArray perceptualTokens(NDArray images, boolean keepGraph) {
        int factor = (int) (teacherSize / images.getShape().get(2));
        NDArray repeated = images.add(1f).div(2f).repeat(2, factor).repeat(3, factor);
        return unitTokens(keepGraph ? ((SampleVitBackbone) teacher).differentiableExtract(repeated) : teacher.extract(repeated));
    }

    /**
     * The weighted perceptual term: {@code (1 - t) (1 - cos)} between the teacher's tokens of the clean-image estimates
     * {@code [B, 3, S, S]} and {@code targets} ({@link #perceptualTokens} of the clean images), averaged.
     */
    NDArray perceptualLoss(NDArray estimates, NDArray targets, NDArray t) {
        NDArray cos = perceptualTokens(estimates, true).mul(targets).sum(new int[] {-1}).mean(new int[] {1});
        return cos.neg().add(1f).mul(t.neg().add(1f)).mean().mul((float) perceptualWeight);
    }

    /** Unit-length teacher features {@code [B, grid*grid, C]} of the scenes (rendered at {@link #teacherSize()}). */
    NDArray targets(NDManager scope, List<RenderedScene> scenes) {
        try (WorldBatch batch = WorldBatch.of(scope, scenes)) {
            NDArray targets = unitTokens(teacher.extract(batch.images())).stopGradient();
            targets.attach(scope); // the batch's arrays go with it
            return targets;
        }
    }

    /**
     * {@code 1 - cos(proj(tokens), targets)}, averaged over the batch and patches (to be weighted by the caller); the
     * tokens {@code [B, g*g, C]} are first averaged over each teacher patch.
     */
    NDArray loss(NDArray tokens, NDArray targets) {
        NDArray cos = unit(projector.forward(pooled(tokens))).mul(targets).sum(new int[] {-1});
        return cos.mean().neg().add(1f);
    }

    /** Updates the projector (after the backward pass), with the DiT's learning rate. */
    void step(float learningRate) {
        adam.step(projector.trainableParameters(), learningRate);
        if (shapeHead != null) shapeAdam.step(shapeHead.trainableParameters(), learningRate);
    }

    private NDArray pooled(NDArray tokens) {
        if (pool == 1) return tokens;
        long b = tokens.getShape().get(0);
        long ch = tokens.getShape().get(2);
        // one axis per mean: the PyTorch engine reduces over a single axis at a time
        return tokens.reshape(b, grid, pool, grid, pool, ch).mean(new int[] {4}).mean(new int[] {2}).reshape(b, (long) grid * grid, ch);
    }

    /** The teacher's features {@code [B, C, g, g]} as unit-length tokens {@code [B, g*g, C]}. */
    private static NDArray unitTokens(NDArray features) {
        long b = features.getShape().get(0);
        long ch = features.getShape().get(1);
        return unit(features.reshape(b, ch, -1).transpose(0, 2, 1));
    }

    private static NDArray unit(NDArray x) {
        return x.div(x.square().sum(new int[] {-1}, true).add(1e-12f).sqrt());
    }

    /** Card and checkpoint description. */
    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("method", "REPA: weight x (1 - cos(projector(tokens after block), teacher patch features))");
        o.addProperty("teacher", teacher.name());
        o.addProperty("teacher_input_px", teacherSize);
        o.addProperty("grid", grid);
        o.addProperty("after_block", afterBlock);
        o.addProperty("weight", weight);
        o.addProperty("projector", "linear " + PROJECTOR_WIDTH + ", SiLU, linear " + PROJECTOR_WIDTH + ", SiLU, linear to the teacher's width");
        if (shapeHead != null) {
            o.addProperty("shape_weight", shapeWeight);
            o.addProperty("shape_head", "linear from each token to its pixels' shape classes, cross-entropy against the class masks");
        }
        if (perceptualWeight > 0) {
            o.addProperty("perceptual_weight", perceptualWeight);
            o.addProperty("perceptual_term", "(1 - t) x (1 - cos(teacher(x_t - t v), teacher(x0))) over the teacher's patches, "
                    + "each 32 px image's pixels repeated to the teacher's input size");
        }
        return o;
    }

    /** Writes the projector and its optimiser state into a checkpoint folder (before the checkpoint's JSON). */
    void save(Path dir) throws IOException {
        projector.save(dir.resolve(PROJECTOR_FILE));
        SafeTensors.write(dir.resolve(OPTIMIZER_FILE), adam.stateDict());
        if (shapeHead != null) {
            shapeHead.save(dir.resolve(SHAPE_HEAD_FILE));
            SafeTensors.write(dir.resolve(SHAPE_OPTIMIZER_FILE), shapeAdam.stateDict());
        }
    }

    /** Restores what {@link #save} wrote; the optimiser must be at {@code step}. */
    void load(Path dir, long step) {
        restore(projector, adam, dir.resolve(PROJECTOR_FILE), dir.resolve(OPTIMIZER_FILE), step,
                "the checkpoint was not trained with representation alignment");
        // a run that adds the shape term to an aligned checkpoint starts its head afresh (a new phase)
        if (shapeHead != null && Files.isRegularFile(dir.resolve(SHAPE_HEAD_FILE))) {
            restore(shapeHead, shapeAdam, dir.resolve(SHAPE_HEAD_FILE), dir.resolve(SHAPE_OPTIMIZER_FILE), step,
                    "the checkpoint's shape head has no optimiser state");
        }
    }

    private static void restore(Module module, Adam optimiser, Path weights, Path moments, long step, String whenMissing) {
        for (Path f : List.of(weights, moments)) {
            if (!Files.isRegularFile(f)) throw new LoupeException(f + " is missing: " + whenMissing);
        }
        module.load(weights, key -> false);
        try (NDManager scratch = module.manager().newSubManager()) {
            optimiser.load(SafeTensors.read(moments, scratch), module.trainableParameters(), moments.toString());
        }
        if (optimiser.stepCount() != step) {
            throw new LoupeException(moments + " is from step " + optimiser.stepCount() + " but the checkpoint is at step " + step
                    + " (a partly written checkpoint?)");
        }
    }

    /** Xavier-uniform weights and zero biases for a training-only module, drawn from {@code random}. */
    private static void initialiseXavier(Module module, SplittableRandom random, String source) {
        Map<String, NDArray> state = new LinkedHashMap<>();
        for (Map.Entry<String, dev.loupe.tensor.Parameter> e : module.namedParameters().entrySet()) {
            ai.djl.ndarray.types.Shape shape = e.getValue().array().getShape();
            float[] values = new float[(int) shape.size()];
            if (e.getKey().endsWith(".weight")) DitTrainer.xavierUniform(random, values, shape);
            state.put(e.getKey(), module.manager().create(values, shape));
        }
        module.load(state, source);
        state.values().forEach(NDArray::close);
    }

    /** REPA's projector: three linear layers with SiLU between. */
    static final class Projector extends Module {
        private final Linear in;
        private final Linear hidden;
        private final Linear out;

        Projector(NDManager manager, int width, int inner, int targetWidth) {
            super(manager);
            in = child("linear_1", new Linear(manager, width, inner));
            hidden = child("linear_2", new Linear(manager, inner, inner));
            out = child("linear_3", new Linear(manager, inner, targetWidth));
        }

        NDArray forward(NDArray x) {
            return out.forward(Activations.silu(hidden.forward(Activations.silu(in.forward(x)))));
        }

        /** Xavier-uniform weights and zero biases from a seeded Java generator (reproducible runs). */
        void initialise(long seed) {
            initialiseXavier(this, new SplittableRandom(seed ^ 0x5EBA_A11C_0FFEEL), "the projector's initial weights");
        }
    }

    /** The shape term's head: one linear layer from a token to its p x p pixels' class logits. */
    static final class ShapeHead extends Module {
        private final Linear out;

        ShapeHead(NDManager manager, int width, int outputs) {
            super(manager);
            out = child("linear", new Linear(manager, width, outputs));
        }

        NDArray forward(NDArray x) {
            return out.forward(x);
        }

        /** Xavier-uniform weights and zero biases from a seeded Java generator (reproducible runs). */
        void initialise(long seed) {
            initialiseXavier(this, new SplittableRandom(seed ^ 0x5AFE_5EEDL), "the shape head's initial weights");
        }
    }
}
