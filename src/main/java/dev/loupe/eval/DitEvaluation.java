package dev.loupe.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.loupe.Progress;
import dev.loupe.diffusion.Sampler;
import dev.loupe.diffusion.cache.CacheSchedule;
import dev.loupe.eval.reward.Prediction;
import dev.loupe.eval.reward.RewardPrompt;
import dev.loupe.eval.reward.RewardRule;
import dev.loupe.eval.reward.SceneAttributes;
import dev.loupe.world.WorldBatch;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/** The measurements a text-to-image model card records: render time, uncached and under caching schedules. */
public final class DitEvaluation {
    private DitEvaluation() {}

    /**
     * Times the render of {@code prompts x seeds} uncached and under each schedule in one run (see
     * {@link RenderTiming}), and describes the result for a model card.
     */
    public static JsonObject renderTime(Sampler sampler, List<String> prompts, List<Long> seeds, List<CacheSchedule> schedules,
            int warmup, int repeats) {
        try (NDManager manager = NDManager.newBaseManager();
                Sampler.Prepared batch = sampler.prepare(manager, Sampler.grid(prompts, seeds))) {
            double loadBefore = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
            RenderTiming.Report report = RenderTiming.measure(manager, sampler, batch, schedules, warmup, repeats);
            double loadAfter = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
            JsonObject o = new JsonObject();
            o.addProperty("batch", String.format(java.util.Locale.ROOT, "%d prompts x %d seeds = %d images (%d rows with guidance)",
                    prompts.size(), seeds.size(), batch.size(), sampler.guided() ? 2 * batch.size() : batch.size()));
            o.addProperty("steps", sampler.steps());
            o.addProperty("timing", "median of " + repeats + " runs after " + warmup + " warm-up, variants interleaved");
            o.addProperty("threads", System.getProperty("ai.djl.pytorch.num_threads", "engine default"));
            o.addProperty("load_average", String.format(java.util.Locale.ROOT, "%.1f before, %.1f after (%d cores)", loadBefore,
                    loadAfter, Runtime.getRuntime().availableProcessors()));
            o.addProperty("uncached_ms", round(report.uncached().medianMs()));
            JsonArray runs = new JsonArray();
            for (double ms : report.uncached().runsMs()) runs.add(round(ms));
            o.add("uncached_runs_ms", runs);
            JsonObject cached = new JsonObject();
            for (int i = 0; i < report.cached().size(); i++) {
                RenderTiming.Measurement m = report.cached().get(i);
                JsonObject c = new JsonObject();
                c.addProperty("ms", round(m.medianMs()));
                c.addProperty("speedup", Math.round(report.speedup(i) * 100) / 100.0);
                c.addProperty("psnr_db_vs_uncached", Math.round(m.psnrDb() * 10) / 10.0);
                c.addProperty("recomputed_components", schedules.get(i).recomputeCount() + " of " + schedules.get(i).size());
                cached.add(m.name(), c);
            }
            o.add("cached", cached);
            return o;
        }
    }

    /**
     * How often uncached renders show what their prompts ask for, as the reward model sees them: the captions of
     * {@code count} ShapesWorld scenes from {@code firstSeed}, one image each (noise seed = the scene's index). The
     * same checks on the true scenes drawn at the model's size give the ceiling the reward model itself allows.
     * {@code heldOut} says whether the seeds lie outside the training scenes (the card records which).
     */
    public static JsonObject promptAdherence(Sampler sampler, RewardModel reward, long firstSeed, int count, boolean heldOut,
            int batch, Progress progress) {
        int size = sampler.model().config().transformer().sampleSize(); // pixel space: the sample is the image
        Adherence rendered = new Adherence();
        Adherence truth = new Adherence();
        try (NDManager manager = NDManager.newBaseManager()) {
            for (int from = 0; from < count && !progress.isCancelled(); from += batch) {
                int n = Math.min(batch, count - from);
                try (NDManager scope = manager.newSubManager();
                        WorldBatch truthScenes = WorldBatch.render(scope, firstSeed + from, n, size)) {
                    List<Sampler.Request> requests = new ArrayList<>(n);
                    List<RewardPrompt> prompts = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        String caption = truthScenes.captions().get(i);
                        requests.add(new Sampler.Request(caption, from + i));
                        prompts.add(RewardPrompt.parse(caption));
                    }
                    NDArray images = sampler.render(scope, requests, null).images();
                    rendered.add(reward.predict(images), prompts);
                    truth.add(reward.predict(truthScenes.images()), prompts);
                }
                progress.update((double) (from + n) / count, String.format(java.util.Locale.ROOT,
                        "prompt adherence: %d/%d captions rendered and scored", from + n, count));
            }
        }
        JsonObject o = new JsonObject();
        o.addProperty("captions", rendered.images);
        o.addProperty("caption_seeds", firstSeed + ".." + (firstSeed + count - 1)
                + (heldOut ? " (held out from training)" : " (training scenes)"));
        o.addProperty("scored_by", "sample-models/reward");
        o.add("renders", rendered.json());
        o.add("true_scenes_at_model_size", truth.json());
        return o;
    }

    /** Tallies of the reward model's verdicts on images against their prompts. */
    private static final class Adherence {
        int images;
        int pairsPrompted;
        int pairsShown;
        int coloursShown;
        int allPairsShown;
        int exactObjects;
        int backgroundsAsked;
        int backgroundsRight;
        double rewardSum;
        /**
         * Prompted objects by their shape (rows) whose image the model sees the column's shape in; the diagonal counts
         * the prompted shapes shown.
         */
        final int[][] shapesSeen = new int[SHAPES][SHAPES];
        final int[] shapePrompted = new int[SHAPES];

        void add(List<Prediction> predictions, List<RewardPrompt> prompts) {
            for (int i = 0; i < predictions.size(); i++) {
                Prediction p = predictions.get(i);
                RewardPrompt prompt = prompts.get(i);
                images++;
                rewardSum += RewardRule.reward(p, prompt);
                boolean all = true;
                boolean exact = p.count() == Math.min(prompt.objects(), 5);
                for (int pair = 0; pair < SceneAttributes.PAIRS; pair++) {
                    boolean shown = p.presentProbability(pair) > 0.5;
                    if (prompt.prompted()[pair]) {
                        pairsPrompted++;
                        if (shown) pairsShown++;
                        else all = false;
                        if (colourShown(p, pair / SHAPES)) coloursShown++; // pairs are colour-major
                        shapePrompted[pair % SHAPES]++;
                        for (int seen = 0; seen < SHAPES; seen++) if (shapeShown(p, seen)) shapesSeen[pair % SHAPES][seen]++;
                    }
                    if (shown != prompt.prompted()[pair]) exact = false;
                }
                if (all) allPairsShown++;
                if (exact) exactObjects++;
                if (prompt.background().isPresent()) {
                    backgroundsAsked++;
                    var b = prompt.background().get();
                    if (p.kind() == b.kind() && p.backgroundColour() == b.colour()) backgroundsRight++;
                }
            }
        }

        private static final int SHAPES = SceneAttributes.PAIRS / SceneAttributes.OBJECT_COLOURS.size();

        /** Whether the model sees this colour on any shape. */
        private static boolean colourShown(Prediction p, int colour) {
            for (int shape = 0; shape < SHAPES; shape++) if (p.presentProbability(colour * SHAPES + shape) > 0.5) return true;
            return false;
        }

        /** Whether the model sees this shape in any colour. */
        private static boolean shapeShown(Prediction p, int shape) {
            for (int colour = 0; colour < SceneAttributes.PAIRS / SHAPES; colour++) {
                if (p.presentProbability(colour * SHAPES + shape) > 0.5) return true;
            }
            return false;
        }

        JsonObject json() {
            JsonObject o = new JsonObject();
            o.addProperty("mean_reward", share(rewardSum, images));
            o.addProperty("prompted_objects_shown", share(pairsShown, pairsPrompted));
            o.addProperty("prompted_colours_shown", share(coloursShown, pairsPrompted));
            int shapesShown = 0;
            for (int shape = 0; shape < SHAPES; shape++) shapesShown += shapesSeen[shape][shape];
            o.addProperty("prompted_shapes_shown", share(shapesShown, pairsPrompted));
            o.addProperty("images_with_every_prompted_object", share(allPairsShown, images));
            o.addProperty("images_with_exactly_the_prompted_objects", share(exactObjects, images));
            o.addProperty("background_kind_and_colour_right", share(backgroundsRight, backgroundsAsked));
            JsonObject byShape = new JsonObject();
            for (int prompted = 0; prompted < SHAPES; prompted++) {
                JsonObject seen = new JsonObject();
                seen.addProperty("prompted_objects", shapePrompted[prompted]);
                for (int shape = 0; shape < SHAPES && shapePrompted[prompted] > 0; shape++) {
                    seen.addProperty(SceneAttributes.SHAPES.get(shape).word(), share(shapesSeen[prompted][shape], shapePrompted[prompted]));
                }
                byShape.add(SceneAttributes.SHAPES.get(prompted).word(), seen);
            }
            o.add("shapes_seen_by_prompted_shape", byShape);
            return o;
        }

        private static double share(double part, int whole) {
            return whole == 0 ? Double.NaN : Math.round(part / whole * 1000) / 1000.0;
        }
    }

    private static double round(double ms) {
        return Math.round(ms * 10) / 10.0;
    }
}
