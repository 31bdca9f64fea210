package dev.loupe.cli;

import ai.djl.ndarray.NDManager;
import dev.loupe.models.LoupeHome;
import dev.loupe.diffusion.Sampler;
import dev.loupe.diffusion.TextToImageModel;
import dev.loupe.eval.DenoisingProbe;
import dev.loupe.eval.RewardModel;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "denoise", mixinStandardHelpOptions = true, description = {
        "How well a text-to-image model keeps a ShapesWorld scene it is shown (held-out",
        "scenes with their captions): the PSNR of its one-step clean-scene estimate",
        "against the noisy input's, and the reward-model score after the sampler runs",
        "from the scene noised to each of its times (SDEdit). A model that loses the",
        "shapes here cannot draw them from noise."})
public final class DitDenoiseCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--model", paramLabel = "DIR", description = "A text-to-image model folder (default: sample-models/sample-dit).")
    Path model;

    @Option(names = "--scenes", defaultValue = "64", paramLabel = "N", description = "Held-out scenes (default ${DEFAULT-VALUE}).")
    int scenes;

    @Option(names = "--every", defaultValue = "2", paramLabel = "K",
            description = "Start from every K-th sampler time (default ${DEFAULT-VALUE}).")
    int every;

    @Option(names = "--guidance", paramLabel = "G", description = "Guidance scale (default: the model's).")
    Double guidance;

    @Override
    public Integer call() {
        if (scenes < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--scenes must be at least 1, got " + scenes);
        if (every < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--every must be at least 1, got " + every);
        PrintWriter out = spec.commandLine().getOut();
        Path folder = model != null ? model : LoupeHome.sampleModels().resolve("sample-dit");
        try (NDManager manager = NDManager.newBaseManager()) {
            TextToImageModel loaded = TextToImageModel.load(manager, folder);
            Sampler sampler = new Sampler(loaded, loaded.config().sampler().overriding(null, guidance, null));
            ProgressLine line = new ProgressLine(System.err);
            DenoisingProbe.Result result = DenoisingProbe.run(sampler, RewardModel.shipped(manager),
                    TrainDitCommand.ADHERENCE_FIRST_SEED, scenes, every, line);
            line.finish();
            out.printf("%s, guidance %s%n%n%s", folder, TrainDitCommand.trim(sampler.guidance()), result.table());
            out.flush();
        }
        return 0;
    }
}
