package dev.loupe.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.loupe.LoupeException;
import dev.loupe.diffusion.Sampler;
import dev.loupe.diffusion.TextToImageModel;
import dev.loupe.diffusion.cache.CacheSchedule;
import dev.loupe.ecad.ScheduleFile;
import dev.loupe.eval.RenderTiming;
import dev.loupe.models.LoupeHome;
import dev.loupe.tensor.ImageGrid;
import dev.loupe.tensor.Images;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code loupe render}: images from prompts with the sample text-to-image model, optionally under a caching schedule. */
@Command(name = "render", mixinStandardHelpOptions = true, description = {
    "Render images from prompts with the sample text-to-image model (sample-models/sample-dit) and print the time.",
    "With --schedule, the same images are also rendered uncached in the same run: the speedup (median of",
    "--repeats runs after a warm-up) and the difference (PSNR against the uncached images) are printed, and OUT",
    "gets the cached images. Several prompts or --seeds N > 1 make a sheet: one row per prompt, one column per seed.",
    "Prompts follow the ShapesWorld caption grammar, e.g. \"a red circle and a blue square on a striped gray background\"."})
public final class RenderCommand implements Callable<Integer> {
    static final String MODEL = "sample-dit";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--prompt", required = true, paramLabel = "TEXT", description = "Prompt (repeat for several).")
    List<String> prompts;

    @Option(names = "--schedule", paramLabel = "S.json", description = "ECAD caching schedule (steps x blocks of the model).")
    Path schedulePath;

    @Option(names = "--steps", paramLabel = "N", description = "Denoising steps (default: the model's, 20).")
    Integer steps;

    @Option(names = "--guidance", paramLabel = "G", description = "Classifier-free guidance scale (default: the model's).")
    Double guidance;

    @Option(names = "--guidance-stop", paramLabel = "T", description = "Steps that start below this time (1 = noise, 0 = image) "
            + "use the prompt alone, without guidance (default: the model's; 0 guides every step).")
    Double guidanceStop;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "K", description = "Seed of the first image (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--seeds", defaultValue = "1", paramLabel = "N",
            description = "Images per prompt, seeds K .. K+N-1 (default ${DEFAULT-VALUE}).")
    int seeds;

    @Option(names = "--scale", defaultValue = "8", paramLabel = "N",
            description = "Upscaling of the 32x32 images in the PNG, nearest neighbour (default ${DEFAULT-VALUE}).")
    int scale;

    @Option(names = "--repeats", defaultValue = "3", paramLabel = "N",
            description = "Timed runs of each variant with --schedule, after one warm-up (default ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--out", required = true, paramLabel = "IMG.png", description = "PNG to write.")
    Path out;

    @Option(names = "--model", hidden = true, paramLabel = "DIR", description = "Model folder (default: the shipped sample-dit).")
    Path modelDir;

    @Override
    public Integer call() throws IOException {
        PrintWriter stdout = spec.commandLine().getOut();
        if (seeds < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--seeds must be at least 1, got " + seeds);
        if (scale < 1 || scale > 64) throw new CommandLine.ParameterException(spec.commandLine(), "--scale must be 1 to 64, got " + scale);
        if (repeats < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--repeats must be at least 1, got " + repeats);
        if (steps != null && steps < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--steps must be at least 1, got " + steps);
        if (Files.isDirectory(out)) throw new LoupeException(out + " is a folder; give the PNG file to write");
        Path folder = modelDir != null ? modelDir : LoupeHome.sampleModel(MODEL);
        try (NDManager manager = NDManager.newBaseManager()) {
            TextToImageModel model = TextToImageModel.load(manager, folder);
            Sampler sampler = new Sampler(model, model.config().sampler().overriding(steps, guidance, guidanceStop));
            CacheSchedule schedule = schedulePath == null ? null
                    : ScheduleFile.read(schedulePath).validateFor(sampler.steps(), sampler.blocks()).schedule();
            List<Long> seedList = new ArrayList<>();
            for (int i = 0; i < seeds; i++) seedList.add(seed + i);
            List<Sampler.Request> requests = Sampler.grid(prompts, seedList);
            try (Sampler.Prepared batch = sampler.prepare(manager, requests)) {
                String what = String.format(Locale.ROOT, "%d image%s, %d steps, guidance %s%s", requests.size(),
                        requests.size() == 1 ? "" : "s", sampler.steps(), trim(sampler.guidance()),
                        sampler.guided() && sampler.guidanceStop() > 0 ? " above t = " + trim(sampler.guidanceStop()) : "");
                NDArray images;
                if (schedule == null) {
                    Sampler.Result r = sampler.render(manager, batch, null, null);
                    images = r.images();
                    stdout.printf(Locale.ROOT, "rendered %s in %.3f s (one run, including warm-up)%n", what, r.totalMs() / 1000);
                } else {
                    RenderTiming.Report report = RenderTiming.measure(manager, sampler, batch, List.of(schedule), 1, repeats);
                    RenderTiming.Measurement cached = report.cached().get(0);
                    images = cached.images();
                    String name = schedule.name().isEmpty() ? schedulePath.getFileName().toString() : schedule.name();
                    stdout.printf(Locale.ROOT, "rendered %s; median of %d runs after a warm-up:%n", what, repeats);
                    stdout.printf(Locale.ROOT, "  uncached        %8.3f s%n", report.uncached().medianMs() / 1000);
                    stdout.printf(Locale.ROOT, "  cached (%s) %8.3f s  speedup %.2fx  PSNR %.1f dB against uncached%n", name,
                            cached.medianMs() / 1000, report.speedup(0), cached.psnrDb());
                    stdout.printf(Locale.ROOT, "  recomputed %d of %d components (%.0f%%)%n", schedule.recomputeCount(),
                            schedule.size(), 100.0 * schedule.recomputeCount() / schedule.size());
                }
                write(images, requests.size());
                stdout.printf(Locale.ROOT, "wrote %s%n", out);
            }
        }
        return 0;
    }

    private void write(NDArray images, int count) throws IOException {
        if (count == 1) {
            Images.writePng(out, ImageGrid.upscale(Images.toImage(images.get(0)), scale));
        } else {
            Images.writePng(out, ImageGrid.of(images, prompts, seeds, scale));
        }
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }
}
