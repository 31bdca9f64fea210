package dev.loupe.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.loupe.LoupeException;
import dev.loupe.diffusion.cache.CacheSchedule;
import dev.loupe.diffusion.cache.CacheState;
import dev.loupe.tensor.Tensors;
import java.util.ArrayList;
import java.util.List;

/**
 * Renders images from prompts with a {@link TextToImageModel}: Euler steps of the rectified flow from noise (t = 1)
 * to the image (t = 0), with classifier-free guidance (stopped for the last steps, below the settings' guidance stop),
 * under an optional ECAD caching schedule.
 *
 * <p>A batch is a list of (prompt, seed) {@link Request}s. Each image starts from noise that depends on its seed
 * alone ({@link RectifiedFlow#noise}), so a (prompt, seed) pair gives the same image in any batch and under any
 * schedule, and a cached render is directly comparable with the uncached one. With guidance the empty-prompt and
 * prompted halves run as ONE transformer call per step ({@code [2N, ...]}, empty half first), as ECAD's PixArt
 * pipeline does, so a {@link CacheState} (one per render) covers both halves and advances once per step. Steps past
 * the guidance stop still run both halves: the cost per step and what each cached component holds stay the same.
 *
 * <p>For a search that renders the same calibration batch under many schedules, {@link #prepare} encodes the prompts
 * and draws the noise once; {@link #render(NDManager, Prepared, CacheSchedule, StepListener)} then runs only the
 * denoising loop and reports its wall time, in total and per step.
 */
public final class Sampler {
    private final TextToImageModel model;
    private final int steps;
    private final double guidance;
    private final double guidanceStop;
    private final double[] times;

    /** One image to render. */
    public record Request(String prompt, long seed) {}

    /** Called after every denoising step with its wall time (for progress lines and benchmarks). */
    @FunctionalInterface
    public interface StepListener {
        void onStep(int step, int steps, long nanos);
    }

    /**
     * Rendered images, {@code [N, 3, S, S]} RGB in [0, 1] in the caller's manager, in request order, with the wall
     * time of the denoising loop (prompt encoding and noise drawn in {@link #prepare} not included) and of each step.
     */
    public record Result(NDArray images, long totalNanos, long[] stepNanos) {
        public double totalMs() {
            return totalNanos / 1e6;
        }

        public double[] stepMs() {
            double[] ms = new double[stepNanos.length];
            for (int i = 0; i < ms.length; i++) ms[i] = stepNanos[i] / 1e6;
            return ms;
        }
    }

    /** A batch ready to render: its noise and (guided) caption embeddings, owned by this object. */
    public static final class Prepared implements AutoCloseable {
        private final NDManager manager;
        private final List<Request> requests;
        private final NDArray noise;
        private final NDArray captions;
        private final NDArray mask;

        private Prepared(NDManager manager, List<Request> requests, NDArray noise, NDArray captions, NDArray mask) {
            this.manager = manager;
            this.requests = requests;
            this.noise = noise;
            this.captions = captions;
            this.mask = mask;
        }

        /** Each image's starting noise {@code [N, 3, S, S]} (owned by the batch). */
        public NDArray noise() {
            return noise;
        }

        public List<Request> requests() {
            return requests;
        }

        public int size() {
            return requests.size();
        }

        @Override
        public void close() {
            manager.close();
        }
    }

    /** A sampler with the model's own settings (its card's {@code sampler} section). */
    public Sampler(TextToImageModel model) {
        this(model, model.config().sampler());
    }

    public Sampler(TextToImageModel model, TextToImageConfig.SamplerSettings settings) {
        this.model = model;
        this.steps = settings.steps();
        this.guidance = settings.guidance();
        this.guidanceStop = settings.guidanceStop();
        this.times = RectifiedFlow.times(steps, settings.shift());
    }

    public int steps() {
        return steps;
    }

    public double guidance() {
        return guidance;
    }

    /** Steps that start at a time below this use the prompted velocity alone. */
    public double guidanceStop() {
        return guidanceStop;
    }

    /** Whether step {@code i} applies the guidance (every step runs both halves all the same). */
    public boolean guides(int i) {
        return guided() && times[i] >= guidanceStop;
    }

    /** Blocks of the transformer (a schedule's second dimension). */
    public int blocks() {
        return model.transformer().blocks().size();
    }

    public TextToImageModel model() {
        return model;
    }

    /** Whether each step runs the empty-prompt half too (guidance 1 is the prompted prediction alone). */
    public boolean guided() {
        return guidance != 1.0;
    }

    /** Requests for every prompt with every seed, prompt-major: (p0, s0), (p0, s1), ..., (p1, s0), ... */
    public static List<Request> grid(List<String> prompts, List<Long> seeds) {
        List<Request> out = new ArrayList<>(prompts.size() * seeds.size());
        for (String p : prompts) for (long s : seeds) out.add(new Request(p, s));
        return out;
    }

    /** Encodes the prompts (and the empty prompt) and draws each image's noise; the result is owned by the caller. */
    public Prepared prepare(NDManager parent, List<Request> requests) {
        if (requests.isEmpty()) throw new LoupeException("nothing to render: no prompts");
        int size = model.config().imageSize();
        int pixels = 3 * size * size;
        NDManager own = parent.newSubManager();
        try {
            float[] noise = new float[requests.size() * pixels];
            List<String> prompts = new ArrayList<>();
            for (int i = 0; i < requests.size(); i++) {
                System.arraycopy(RectifiedFlow.noise(requests.get(i).seed(), pixels), 0, noise, i * pixels, pixels);
            }
            if (guided()) for (int i = 0; i < requests.size(); i++) prompts.add(PromptEncoder.EMPTY);
            for (Request r : requests) prompts.add(r.prompt());
            PromptEncoder.Encoded encoded = model.promptEncoder().encode(own, prompts); // [2N or N, L, D]
            NDArray x = Tensors.of(own, noise, new Shape(requests.size(), 3, size, size));
            return new Prepared(own, List.copyOf(requests), x, encoded.embeddings(), encoded.mask());
        } catch (RuntimeException e) {
            own.close();
            throw e;
        }
    }

    /** Prepares and renders in one call. */
    public Result render(NDManager manager, List<Request> requests, CacheSchedule schedule) {
        try (Prepared batch = prepare(manager, requests)) {
            return render(manager, batch, schedule, null);
        }
    }

    /**
     * Runs the denoising loop for a prepared batch.
     *
     * @param manager  owner of the returned images
     * @param schedule ECAD caching schedule of {@link #steps()} x {@link #blocks()}, or null to compute everything
     * @param listener told after each step, or null
     */
    public Result render(NDManager manager, Prepared batch, CacheSchedule schedule, StepListener listener) {
        if (schedule != null && (schedule.steps() != steps || schedule.blocks() != blocks())) {
            throw new LoupeException("the schedule " + (schedule.name().isEmpty() ? "" : "'" + schedule.name() + "' ")
                    + "is for " + schedule.steps() + " steps x " + schedule.blocks() + " blocks; this render has "
                    + steps + " steps x " + blocks() + " blocks");
        }
        return run(manager, batch, batch.noise, 0, schedule, listener);
    }

    /** The sampler's times, from 1 (noise) down to 0 (the image): {@link #steps()} + 1 of them. */
    public double[] times() {
        return times.clone();
    }

    /**
     * Runs the sampler's steps {@code first .. steps-1} from {@code start}, a sample at time {@code times()[first]}
     * (SDEdit: a noised image instead of noise), uncached. The images belong to {@code manager}.
     */
    public Result continueFrom(NDManager manager, Prepared batch, int first, NDArray start) {
        if (first < 0 || first > steps) throw new IllegalArgumentException("step " + first + " of a " + steps + "-step sampler");
        if (!start.getShape().equals(batch.noise.getShape())) {
            throw new IllegalArgumentException("the start " + start.getShape() + " does not fit the batch " + batch.noise.getShape());
        }
        return run(manager, batch, start, first, null, null);
    }

    private Result run(NDManager manager, Prepared batch, NDArray from, int first, CacheSchedule schedule, StepListener listener) {
        long[] stepNanos = new long[steps];
        long start = System.nanoTime();
        try (NDManager scope = manager.newSubManager();
                CacheState cache = schedule == null ? null : new CacheState(schedule, scope)) {
            NDArray x = from.duplicate();
            x.attach(scope);
            for (int i = first; i < steps; i++) {
                long t0 = System.nanoTime();
                NDArray next = step(x, i, batch, cache, scope);
                x.close();
                x = next;
                stepNanos[i] = System.nanoTime() - t0;
                if (listener != null) listener.onStep(i, steps, stepNanos[i]);
            }
            NDArray images = x.add(1f).div(2f).clip(0f, 1f); // [-1, 1] -> [0, 1]
            images.attach(manager);
            return new Result(images, System.nanoTime() - start, stepNanos);
        }
    }

    /** One Euler step {@code x + (t_next - t) v} with the guided velocity; the result belongs to {@code scope}. */
    private NDArray step(NDArray x, int i, Prepared batch, CacheState cache, NDManager scope) {
        try (NDManager local = scope.newSubManager()) {
            NDArray input = guided() ? NDArrays.concat(new NDList(x, x)) : x.duplicate(); // [2N or N, 3, S, S]
            input.attach(local);
            NDArray v = model.velocity(input, times[i], batch.captions, batch.mask, cache);
            if (guided()) {
                NDList halves = v.split(2); // empty-prompt half, prompted half
                NDArray empty = halves.get(0);
                v = guides(i) ? empty.add(halves.get(1).sub(empty).mul((float) guidance)) : halves.get(1);
            }
            NDArray next = x.add(v.mul((float) (times[i + 1] - times[i])));
            next.attach(scope);
            return next;
        }
    }
}
