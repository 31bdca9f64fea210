package dev.loupe.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.loupe.Progress;
import dev.loupe.diffusion.PromptEncoder;
import dev.loupe.diffusion.Sampler;
import dev.loupe.diffusion.TextToImageModel;
import dev.loupe.world.WorldBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How well a text-to-image model keeps a scene it is shown, on true ShapesWorld scenes with their captions (the
 * held-out seeds of the prompt-adherence check). Two views:
 * <ul>
 *   <li><b>one step</b>: the clean-scene estimate {@code x_t - t v(x_t, t, caption)} against the scene, as PSNR, beside
 *       the PSNR of the noisy input {@code x_t = (1 - t) x0 + t noise} itself (what a denoiser must improve on);
 *   <li><b>from a noised scene</b> (SDEdit): the scene noised to one of the sampler's times, then the sampler's
 *       remaining guided steps, scored by the reward model against the caption. Time 1 is a plain render from the
 *       same noise; time 0 is the true scene.
 * </ul>
 * A model that loses shapes here, where it sees them, cannot draw them from noise.
 */
public final class DenoisingProbe {
    /** Noise levels of the one-step view. */
    public static final double[] ONE_STEP_TIMES = {0.05, 0.1, 0.2, 0.4, 0.6, 0.8};

    public record OneStep(double t, double estimatePsnr, double inputPsnr) {}

    public record FromNoised(double t, int stepsRun, double meanReward) {}

    public record Result(int scenes, List<OneStep> oneStep, List<FromNoised> fromNoised) {
        /** Both views as Markdown tables. */
        public String table() {
            StringBuilder b = new StringBuilder();
            b.append(String.format(Locale.ROOT, "One denoising step on %d held-out scenes: PSNR (dB) of x_t - t v against the scene%n%n", scenes));
            b.append("| t | estimate | noisy input | gain |\n|---:|---:|---:|---:|\n");
            for (OneStep s : oneStep) {
                b.append(String.format(Locale.ROOT, "| %.2f | %.1f | %.1f | %+.1f |%n", s.t(), s.estimatePsnr(), s.inputPsnr(),
                        s.estimatePsnr() - s.inputPsnr()));
            }
            b.append(String.format(Locale.ROOT, "%nFrom the scene noised to t, the sampler's remaining steps: mean reward%n%n"));
            b.append("| t | steps run | mean reward |\n|---:|---:|---:|\n");
            for (FromNoised f : fromNoised) {
                b.append(String.format(Locale.ROOT, "| %.3f | %d | %.3f |%n", f.t(), f.stepsRun(), f.meanReward()));
            }
            return b.toString();
        }
    }

    private DenoisingProbe() {}

    /**
     * @param sampler   the model with its steps and guidance (the from-noised view uses them)
     * @param firstSeed ShapesWorld seed of the first scene; scene i's noise has seed i, as in the prompt-adherence check
     * @param every     the from-noised view starts at every {@code every}-th sampler step (and always at the last time, 0)
     */
    public static Result run(Sampler sampler, RewardModel reward, long firstSeed, int count, int every, Progress progress) {
        TextToImageModel model = sampler.model();
        int size = model.config().imageSize();
        double[] times = sampler.times();
        List<Integer> starts = new ArrayList<>();
        for (int k = 0; k < sampler.steps(); k += every) starts.add(k);
        starts.add(sampler.steps());
        double[] estimateMse = new double[ONE_STEP_TIMES.length];
        double[] inputMse = new double[ONE_STEP_TIMES.length];
        double[] rewards = new double[starts.size()];
        int work = ONE_STEP_TIMES.length + starts.size();
        try (NDManager manager = NDManager.newBaseManager();
                WorldBatch scenes = WorldBatch.render(manager, firstSeed, count, size)) {
            List<Sampler.Request> requests = new ArrayList<>(count);
            for (int i = 0; i < count; i++) requests.add(new Sampler.Request(scenes.captions().get(i), i));
            NDArray x0 = scenes.images().mul(2f).sub(1f); // [-1, 1]
            try (Sampler.Prepared batch = sampler.prepare(manager, requests)) {
                NDArray noise = batch.noise();
                PromptEncoder.Encoded captions = model.promptEncoder().encode(manager, scenes.captions());
                for (int i = 0; i < ONE_STEP_TIMES.length && !progress.isCancelled(); i++) {
                    float t = (float) ONE_STEP_TIMES[i];
                    try (NDManager scope = manager.newSubManager()) {
                        NDArray xt = noised(x0, noise, t);
                        xt.attach(scope);
                        NDArray v = model.velocity(xt, t, captions.embeddings(), captions.mask(), null);
                        estimateMse[i] = xt.sub(v.mul(t)).sub(x0).square().mean().getFloat();
                        inputMse[i] = xt.sub(x0).square().mean().getFloat();
                    }
                    progress.update((double) (i + 1) / work, "one-step denoising at t = " + t);
                }
                for (int j = 0; j < starts.size() && !progress.isCancelled(); j++) {
                    int k = starts.get(j);
                    try (NDManager scope = manager.newSubManager()) {
                        NDArray start = noised(x0, noise, (float) times[k]);
                        start.attach(scope);
                        NDArray images = sampler.continueFrom(scope, batch, k, start).images();
                        double sum = 0;
                        for (float r : reward.score(images, scenes.captions())) sum += r;
                        rewards[j] = sum / count;
                    }
                    progress.update((double) (ONE_STEP_TIMES.length + j + 1) / work,
                            String.format(Locale.ROOT, "from the scene noised to t = %.3f", times[k]));
                }
            }
        }
        List<OneStep> oneStep = new ArrayList<>();
        for (int i = 0; i < ONE_STEP_TIMES.length; i++) {
            oneStep.add(new OneStep(ONE_STEP_TIMES[i], psnr(estimateMse[i]), psnr(inputMse[i])));
        }
        List<FromNoised> fromNoised = new ArrayList<>();
        for (int j = 0; j < starts.size(); j++) {
            int k = starts.get(j);
            fromNoised.add(new FromNoised(times[k], sampler.steps() - k, rewards[j]));
        }
        return new Result(count, oneStep, fromNoised);
    }

    /** {@code (1 - t) x0 + t noise}. */
    private static NDArray noised(NDArray x0, NDArray noise, float t) {
        return x0.mul(1 - t).add(noise.mul(t));
    }

    /** PSNR of images in [-1, 1]: the mean squared error of the same images in [0, 1] is a quarter of it. */
    static double psnr(double mse) {
        return Fidelity.psnrOfMse(mse / 4);
    }
}
