package dev.loupe.search;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.loupe.LoupeException;
import dev.loupe.backbone.Backbone;
import dev.loupe.backbone.Backbones;
import dev.loupe.diffusion.Sampler;
import dev.loupe.diffusion.TextToImageModel;
import dev.loupe.diffusion.cache.CacheSchedule;
import dev.loupe.diffusion.cache.MacCounter;
import dev.loupe.eval.Fidelity;
import dev.loupe.eval.RenderTiming;
import dev.loupe.eval.RewardModel;
import dev.loupe.eval.reward.RewardPrompt;
import dev.loupe.tensor.Resize;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BooleanSupplier;

/**
 * Scores caching schedules on a search's calibration set (every prompt with every seed, one batch): renders it
 * under the schedule, and measures
 * <ul>
 *   <li>the mean reward of the images ({@link RewardModel#shipped}, each image against its own prompt);</li>
 *   <li>fidelity to the uncached render of the same batch (rendered once, when the evaluator opens): mean PSNR, and
 *       the mean feature distance: 1 - cosine similarity of the shipped sample ViT's patch features
 *       ({@code sample-models/sample-vit}), the 32x32 images upscaled bilinearly to {@value #FEATURE_SIZE} pixels
 *       (8 x 8 patches), averaged over patches and images; NaN when the installation has no sample ViT;</li>
 *   <li>the weight MACs of the whole batch ({@link MacCounter} for the model's dimensions, with guidance's doubled
 *       batch and the prompt encoder's caption length), and the MAC speedup over no caching.</li>
 * </ul>
 * Thread-safe: several threads may {@link #evaluate} at once (renders run in parallel; scoring takes turns, as a
 * backbone serves one thread at a time). Owns the model, the reward model and the backbone; close it.
 */
public final class ScheduleEvaluator implements AutoCloseable {
    /** Side the images are upscaled to for the sample ViT's features. */
    public static final int FEATURE_SIZE = 128;

    private final SearchSettings settings;
    private final NDManager manager;
    private final TextToImageModel model;
    private final Sampler sampler;
    private final List<Sampler.Request> requests;
    /** Prepared batches not in use: one per concurrent render, as a forward borrows its inputs' ownership. */
    private final ConcurrentLinkedQueue<Sampler.Prepared> batches = new ConcurrentLinkedQueue<>();
    private final List<RewardPrompt> prompts;
    private final RewardModel reward;
    private final Backbone backbone;
    private final MacCounter counter;
    private final long uncachedMacs;
    private final NDArray reference;
    private final Object scoring = new Object();

    /** Loads the model and the scorers and renders the uncached reference; a missing model is a {@link LoupeException}. */
    public ScheduleEvaluator(SearchSettings settings) {
        this.settings = settings;
        requests = Sampler.grid(settings.prompts(), settings.seeds());
        List<RewardPrompt> parsed = new ArrayList<>();
        for (Sampler.Request r : requests) parsed.add(RewardPrompt.parse(r.prompt()));
        this.prompts = List.copyOf(parsed);
        manager = NDManager.newBaseManager();
        Backbone vit = null;
        try {
            model = TextToImageModel.load(manager, settings.model());
            sampler = new Sampler(model, settings.sampler(model.config().sampler()));
            reward = RewardModel.shipped(manager);
            vit = sampleBackbone();
            backbone = vit;
            Sampler.Prepared batch = borrow();
            int rows = sampler.guided() ? 2 * requests.size() : requests.size();
            counter = new MacCounter(model.config().transformer().dimensions(), rows, model.config().promptEncoder().maxTokens());
            uncachedMacs = counter.uncached(settings.steps()).weightMacs();
            reference = sampler.render(manager, batch, null, null).images();
            batches.add(batch);
        } catch (RuntimeException e) {
            if (vit != null) vit.close();
            manager.close();
            throw e;
        }
    }

    private Sampler.Prepared borrow() {
        Sampler.Prepared batch = batches.poll();
        if (batch != null) return batch;
        synchronized (batches) {
            return sampler.prepare(manager, requests); // same noise and captions: noise depends on the seed alone
        }
    }

    private static Backbone sampleBackbone() {
        try {
            return Backbones.sample();
        } catch (LoupeException e) {
            return null; // an installation without the sample ViT: feature distance is NaN
        }
    }

    public SearchSettings settings() {
        return settings;
    }

    public int steps() {
        return sampler.steps();
    }

    public int blocks() {
        return sampler.blocks();
    }

    public Sampler sampler() {
        return sampler;
    }

    public MacCounter macCounter() {
        return counter;
    }

    /** Weight MACs of the calibration batch without caching. */
    public long uncachedWeightMacs() {
        return uncachedMacs;
    }

    /** The image side in pixels. */
    public int imageSize() {
        return model.config().imageSize();
    }

    /** Whether feature distances are measured (the sample ViT is installed). */
    public boolean hasFeatureDistance() {
        return backbone != null;
    }

    /** Renders the calibration set under {@code schedule} and scores it. */
    public Evaluation evaluate(String name, CacheSchedule schedule, String origin) {
        if (schedule.steps() != steps() || schedule.blocks() != blocks()) {
            throw new LoupeException("the schedule '" + name + "' is for " + schedule.steps() + " steps x "
                    + schedule.blocks() + " blocks; the model renders " + steps() + " steps x " + blocks() + " blocks");
        }
        long macs = counter.count(schedule).weightMacs();
        Sampler.Prepared batch = borrow();
        try (NDManager scope = manager.newSubManager()) {
            NDArray images = sampler.render(scope, batch, schedule, null).images();
            double meanReward, psnr, distance;
            synchronized (scoring) {
                float[] rewards = reward.scoreParsed(images, prompts);
                double sum = 0;
                for (float r : rewards) sum += r;
                meanReward = sum / rewards.length;
                psnr = Fidelity.meanPsnr(images, reference);
                distance = backbone == null ? Double.NaN : Fidelity.mean(Fidelity.featureDistance(images, reference,
                        x -> backbone.extract(Resize.torchvisionBilinear(x, FEATURE_SIZE, FEATURE_SIZE)),
                        Fidelity.Distance.COSINE));
            }
            return new Evaluation(name, schedule.named(name), macs, (double) uncachedMacs / macs, meanReward, psnr,
                    distance, Double.NaN, origin);
        } finally {
            batches.add(batch);
        }
    }

    /** Wall-clock figures of {@link #measure}: the uncached median and each schedule's, in milliseconds per batch. */
    public record Timings(List<Evaluation> measured, double uncachedMs, List<double[]> runsMs, double[] uncachedRunsMs) {}

    /**
     * Measures the wall-clock speedup of each evaluation in one run: after {@code warmup} rounds, {@code repeats}
     * rounds each render the calibration batch uncached and then under every schedule (interleaved), and each
     * speedup is the uncached median over the schedule's median ({@link RenderTiming}). Single-threaded.
     *
     * @throws java.util.concurrent.CancellationException once {@code cancelled} says so, before the next render
     */
    public Timings measure(List<Evaluation> evaluations, int warmup, int repeats, BooleanSupplier cancelled) {
        List<CacheSchedule> schedules = new ArrayList<>();
        for (Evaluation e : evaluations) schedules.add(e.schedule());
        Sampler.Prepared batch = borrow();
        try (NDManager scope = manager.newSubManager()) {
            RenderTiming.Report report = RenderTiming.measure(scope, sampler, batch, schedules, warmup, repeats, cancelled);
            List<Evaluation> measured = new ArrayList<>();
            List<double[]> runs = new ArrayList<>();
            for (int i = 0; i < evaluations.size(); i++) {
                measured.add(evaluations.get(i).withMeasuredSpeedup(report.speedup(i)));
                runs.add(report.cached().get(i).runsMs().clone());
            }
            return new Timings(measured, report.uncached().medianMs(), runs, report.uncached().runsMs().clone());
        } finally {
            batches.add(batch);
        }
    }

    @Override
    public void close() {
        try {
            if (backbone != null) backbone.close();
        } finally {
            for (Sampler.Prepared b; (b = batches.poll()) != null; ) b.close();
            manager.close();
        }
    }
}
