package dev.loupe.eval;

import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import com.google.gson.FieldNamingPolicy;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.loupe.Progress;
import dev.loupe.eval.reward.Degrade;
import dev.loupe.eval.reward.RewardConfig;
import dev.loupe.eval.reward.RewardData;
import dev.loupe.eval.reward.RewardNet;
import dev.loupe.eval.reward.RewardTrainer;
import dev.loupe.eval.reward.SceneAttributes;
import dev.loupe.models.ModelCard;
import dev.loupe.world.BackgroundKind;
import dev.loupe.world.NamedColour;
import dev.loupe.world.ShapeKind;
import dev.loupe.world.ShapesWorld;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Makes a reward model folder end to end: trains ({@link RewardTrainer}, checkpoints in {@code OUT/checkpoint},
 * resumed when present), evaluates on held-out scenes clean and degraded ({@link RewardEvaluation}), measures
 * throughput on one core, and writes {@code OUT/reward.safetensors} and the card {@code OUT/model.json}.
 */
public final class RewardTraining {
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting()
            .setFieldNamingPolicy(FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES).create();

    /** What to make; {@code command} is the command line recorded in the card. */
    public record Settings(Path out, RewardConfig config, RewardTrainer.Options options, int evalScenes, String command) {}

    /** The written folder, its card and the training result; {@code cancelled} when stopped before the last step. */
    public record Outcome(Path folder, JsonObject card, RewardTrainer.Result result) {}

    private RewardTraining() {}

    public static Outcome run(Settings settings, Progress progress) throws IOException {
        Files.createDirectories(settings.out());
        try (NDManager manager = NDManager.newBaseManager()) {
            RewardNet net = new RewardNet(manager, settings.config());
            RewardTrainer.Result result = new RewardTrainer(net, settings.options()).train(progress);
            if (result.cancelled()) return new Outcome(settings.out(), null, result);
            RewardModel model = new RewardModel(net);
            RewardEvaluation.Accuracy clean = RewardEvaluation.evaluate(model, RewardData.HELD_OUT_FIRST_SEED,
                    settings.evalScenes(), null, progress);
            RewardEvaluation.Accuracy degraded = RewardEvaluation.evaluate(model, RewardData.HELD_OUT_FIRST_SEED,
                    settings.evalScenes(), Degrade.HELD_OUT, progress);
            progress.update(-1, "measuring throughput on one core");
            double perSecond = onOneThread(() -> RewardEvaluation.imagesPerSecond(model, 256, 5));

            RewardModel.writeFolder(settings.out(), net, card(settings, net, result, clean, degraded, perSecond));
            return new Outcome(settings.out(), ModelCard.read(settings.out()).json(), result);
        }
    }

    private static double onOneThread(java.util.function.DoubleSupplier work) {
        int before = JniUtils.getNumThreads();
        JniUtils.setNumThreads(1);
        try {
            return work.getAsDouble();
        } finally {
            JniUtils.setNumThreads(before);
        }
    }

    private static JsonObject card(Settings s, RewardNet net, RewardTrainer.Result result, RewardEvaluation.Accuracy clean,
                                   RewardEvaluation.Accuracy degraded, double perSecond) {
        RewardTrainer.Options o = s.options();
        JsonObject card = new JsonObject();
        card.addProperty("name", RewardModel.NAME);
        card.addProperty("description", "Scores how well a 32x32 image matches a ShapesWorld prompt (the analogue of "
                + "ImageReward in ECAD): a small CNN reads which (colour, shape) pairs it shows, how many objects and "
                + "which background; the reward is the probability that the image shows exactly what the prompt says "
                + "(every named object, no other, the named count and background), in [0, 1], higher is better.");
        JsonObject architecture = new JsonObject();
        architecture.addProperty("layout", "one level per width, each at half the resolution of the one before: stem "
                + "2x2 stride-2 ConvBnRelu, stages 3x3 stride-2 ConvBnRelu, each followed by depth x 3x3 ConvBnRelu; pairs: "
                + "on the second-to-last level 3x3 conv (pair_hidden) + ReLU + 1x1 conv per cell, maximum over cells; "
                + "count and background: mean+max pool of the last level, Linear (hidden) + ReLU + Linear; a 3x3 conv "
                + "shape/colour map on the second-to-last level, used in training only");
        architecture.addProperty("parameters", net.parameterCount());
        architecture.addProperty("macs_per_image", net.macsPerImage());
        card.add("architecture", architecture);
        card.add("outputs", outputs());
        card.addProperty("command", s.command());

        JsonObject data = new JsonObject();
        data.addProperty("world", "ShapesWorld version " + ShapesWorld.VERSION);
        data.addProperty("image_size", s.config().imageSize());
        long lastTrainSeed = RewardData.TRAIN_FIRST_SEED + result.step() * o.batchSize() - 1;
        data.addProperty("train_seeds", RewardData.TRAIN_FIRST_SEED + ".." + lastTrainSeed + " (each scene seen once, half mirrored)");
        data.addProperty("held_out_seeds", RewardData.HELD_OUT_FIRST_SEED + ".." + (RewardData.HELD_OUT_FIRST_SEED + s.evalScenes() - 1));
        data.add("training_degradation", GSON.toJsonTree(o.degrade()));
        data.add("held_out_degradation", GSON.toJsonTree(Degrade.HELD_OUT));
        card.add("data", data);

        JsonObject training = new JsonObject();
        training.addProperty("steps", result.step());
        training.addProperty("batch_size", o.batchSize());
        training.addProperty("optimizer", String.format(Locale.ROOT, "Adam lr %.1e, %d warm-up steps, cosine decay to 5%%",
                o.learningRate(), o.warmupSteps()));
        training.addProperty("loss", "BCE over the 64 pairs (summed) + CE of count, background kind and background colour"
                + " + " + RewardTrainer.MAP_WEIGHT + " x per-cell CE of the shape and colour maps");
        training.addProperty("degradation_ramp_steps", o.rampSteps());
        training.addProperty("final_loss_mean_of_last_100", mean(result.losses(), 100));
        training.addProperty("torch_threads", JniUtils.getNumThreads());
        training.addProperty("cpu_cores", Runtime.getRuntime().availableProcessors());
        card.add("training", training);
        card.addProperty("training_time", String.format(Locale.ROOT, "%.1f min (wall clock, all runs of the checkpoint)",
                result.seconds() / 60));
        card.addProperty("training_seconds", Math.round(result.seconds()));

        JsonObject metrics = new JsonObject();
        metrics.add("held_out_clean", clean.toJson());
        metrics.add("held_out_degraded", degraded.toJson());
        JsonObject speed = new JsonObject();
        speed.addProperty("images_per_second_one_thread", Math.round(perSecond));
        speed.addProperty("batch", 256);
        speed.addProperty("what", "RewardModel.score on 32x32 images with their prompts, median of 5 runs");
        metrics.add("throughput", speed);
        card.add("metrics", metrics);
        return card;
    }

    private static JsonObject outputs() {
        JsonObject o = new JsonObject();
        JsonArray colours = new JsonArray();
        SceneAttributes.OBJECT_COLOURS.forEach(c -> colours.add(c.word()));
        JsonArray shapes = new JsonArray();
        ShapeKind.ALL.forEach(k -> shapes.add(k.word()));
        JsonObject pairs = new JsonObject();
        pairs.addProperty("range", SceneAttributes.PAIR_OFFSET + ".." + (SceneAttributes.COUNT_OFFSET - 1));
        pairs.addProperty("index", "colour * 8 + shape (sigmoid: present)");
        pairs.add("colours", colours);
        pairs.add("shapes", shapes);
        o.add("pairs", pairs);
        o.add("count", head(SceneAttributes.COUNT_OFFSET, List.of("1", "2", "3", "4", "5 or more")));
        o.add("background_kind", head(SceneAttributes.KIND_OFFSET,
                SceneAttributes.KINDS.stream().map(BackgroundKind::word).toList()));
        o.add("background_colour", head(SceneAttributes.BACKGROUND_COLOUR_OFFSET,
                SceneAttributes.BACKGROUND_COLOURS.stream().map(NamedColour::word).toList()));
        return o;
    }

    private static JsonObject head(int offset, List<String> classes) {
        JsonObject h = new JsonObject();
        h.addProperty("range", offset + ".." + (offset + classes.size() - 1));
        JsonArray c = new JsonArray();
        classes.forEach(c::add);
        h.add("classes", c);
        h.addProperty("activation", "softmax");
        return h;
    }

    private static double mean(List<Double> values, int last) {
        int from = Math.max(0, values.size() - last);
        return values.subList(from, values.size()).stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }
}
