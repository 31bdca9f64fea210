package dev.loupe.cli;

import dev.loupe.LoupeException;
import dev.loupe.diffusion.PixArtConfig;
import dev.loupe.diffusion.cache.CacheSchedule;
import dev.loupe.diffusion.cache.Component;
import dev.loupe.diffusion.cache.DitDimensions;
import dev.loupe.diffusion.cache.MacCounter;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "macs", mixinStandardHelpOptions = true, description = {
        "Count the multiply-accumulates of a PixArt transformer per denoising step,",
        "without running it. Weight MACs: every linear layer and convolution that",
        "runs (what ECAD publishes, as calflops counts). Attention MACs: the Q K^T",
        "and A V products of the attentions that run."})
public final class MacsCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--arch", required = true, paramLabel = "NAME|CONFIG.json",
            description = "A built-in architecture (pixart-alpha-256, pixart-alpha-512, pixart-alpha-1024) or a diffusers config.json.")
    String arch;

    @Option(names = "--schedule", paramLabel = "S.json", description = "An ECAD cache schedule (default: nothing cached).")
    Path schedule;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "20", description = "Denoising steps without a schedule (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "2", description = "Batch per transformer call; 2 = one image with classifier-free guidance (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--caption-tokens", paramLabel = "L", defaultValue = "120", description = "Caption length in tokens (default: ${DEFAULT-VALUE}, PixArt's T5 length).")
    int captionTokens;

    @Override
    public Integer call() {
        PixArtConfig config = architecture(arch);
        if (batch <= 0) throw new LoupeException("--batch must be positive, not " + batch);
        if (captionTokens <= 0) throw new LoupeException("--caption-tokens must be positive, not " + captionTokens);
        DitDimensions dims = config.dimensions();
        CacheSchedule plan = schedule == null ? uncached(dims) : ScheduleFiles.read(schedule, -1, dims.blocks());
        MacCounter counter = new MacCounter(dims, batch, captionTokens);
        print(spec.commandLine().getOut(), config, counter, plan, counter.count(plan));
        return 0;
    }

    private CacheSchedule uncached(DitDimensions dims) {
        if (steps <= 0) throw new LoupeException("--steps must be positive, not " + steps);
        return CacheSchedule.noCache(steps, dims.blocks());
    }

    /** A built-in architecture by name, else a config file. */
    static PixArtConfig architecture(String arch) {
        return PixArtConfig.builtIn(arch).orElseGet(() -> {
            Path file = Path.of(arch);
            if (!java.nio.file.Files.exists(file)) {
                throw new LoupeException(arch + " is neither a built-in architecture (" + String.join(", ", PixArtConfig.BUILT_IN)
                        + ") nor an existing config file");
            }
            return PixArtConfig.read(file);
        });
    }

    private void print(PrintWriter out, PixArtConfig config, MacCounter counter, CacheSchedule plan, MacCounter.Run run) {
        DitDimensions d = counter.dimensions();
        out.printf(Locale.ROOT, "%s: %d blocks, width %d (%d heads x %d), %d image tokens, batch %d, %d caption tokens%n",
                arch, d.blocks(), d.hidden(), d.heads(), d.headDim(), counter.imageTokens(), counter.batch(),
                counter.captionTokens());
        out.printf(Locale.ROOT, "schedule: %s, %d steps (columns attn1/attn2/ff: blocks computed, of %d)%n",
                schedule == null ? "nothing cached" : schedule + (plan.name().isEmpty() ? "" : " (" + plan.name() + ")"),
                plan.steps(), d.blocks());
        out.println();
        String row = "%-6s %5s %5s %5s  %19s  %19s  %19s%n";
        out.printf(Locale.ROOT, row, "step", "attn1", "attn2", "ff", "weight MACs", "attention MACs", "total MACs");
        for (MacCounter.Step s : run.steps()) {
            out.printf(Locale.ROOT, row, String.format(Locale.ROOT, "%03d", s.step()), s.computed().get(Component.ATTN1),
                    s.computed().get(Component.ATTN2), s.computed().get(Component.FF), group(s.weightMacs()),
                    group(s.attentionMacs()), group(s.totalMacs()));
        }
        out.printf(Locale.ROOT, row, "total", "", "", "", group(run.weightMacs()), group(run.attentionMacs()),
                group(run.totalMacs()));
        out.printf(Locale.ROOT, row, "TMACs", "", "", "", tera(run.weightMacs()), tera(run.attentionMacs()),
                tera(run.totalMacs()));
        out.println();
        out.printf(Locale.ROOT, "total weight MACs: %d (%s TMACs)%n", run.weightMacs(), tera(run.weightMacs()));
        out.printf(Locale.ROOT, "total attention MACs: %d (%s TMACs)%n", run.attentionMacs(), tera(run.attentionMacs()));
        out.printf(Locale.ROOT, "total MACs: %d (%s TMACs)%n", run.totalMacs(), tera(run.totalMacs()));
        out.flush();
    }

    private static String group(long v) {
        return String.format(Locale.ROOT, "%,d", v);
    }

    private static String tera(long v) {
        return String.format(Locale.ROOT, "%.6f", v / 1e12);
    }
}
