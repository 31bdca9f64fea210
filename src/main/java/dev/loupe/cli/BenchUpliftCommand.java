package dev.loupe.cli;

import dev.loupe.LoupeException;
import dev.loupe.eval.Plots;
import dev.loupe.upsample.uplift.UpliftBenchmark;
import dev.loupe.upsample.uplift.UpliftConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code loupe bench uplift}: UPLiFT inference time, peak memory and MACs at several input sizes. */
@Command(name = "uplift", mixinStandardHelpOptions = true,
        description = {"Time UPLiFT (random weights, pixel-dense output, batch 1) at several square input sizes.",
            "CPU ms is the process's CPU time per run (all threads), the steadier figure on a shared machine. "
                    + "Peak MB is the whole process's peak resident memory during one run (JVM and engine included)."})
public final class BenchUpliftCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--sizes", defaultValue = "224,448,896", split = ",", paramLabel = "PX",
            description = "Input sizes in pixels. Default: ${DEFAULT-VALUE}.")
    int[] sizes;

    @Option(names = "--config", defaultValue = "dinov2-s14", paramLabel = "NAME|FILE", description = "Shipped configuration or a YAML/JSON file. Default: ${DEFAULT-VALUE}.")
    String config;

    @Option(names = "--runs", defaultValue = "3", description = "Timed runs per size (median reported). Default: ${DEFAULT-VALUE}.")
    int runs;

    @Option(names = "--warmup", defaultValue = "1", description = "Untimed runs first. Default: ${DEFAULT-VALUE}.")
    int warmup;

    @Option(names = "--plot", defaultValue = "uplift-bench.png", paramLabel = "FILE.png", description = "Where to write the plot. Default: ${DEFAULT-VALUE}.")
    Path plot;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (runs < 1) throw new LoupeException("--runs must be at least 1");
        if (warmup < 0) throw new LoupeException("--warmup cannot be negative");
        for (int s : sizes) if (s < 1) throw new LoupeException("--sizes must be positive, got " + s);
        UpliftConfig cfg = UpliftConfig.load(config);
        out.printf("UPLiFT %s, %d threads, batch 1, random weights%n", config, Runtime.getRuntime().availableProcessors());
        out.printf("%8s %8s %8s %6s %11s %9s %9s %8s%n", "input", "tokens", "output", "steps", "median ms", "CPU ms", "peak MB", "GMACs");
        out.flush();
        List<UpliftBenchmark.Row> rows = new UpliftBenchmark(cfg, warmup, runs).run(sizes, r -> {
            out.printf("%8s %8d %8s %6d %11.1f %9.0f %9s %8.1f%n", r.inputSize() + "px", r.tokens(), r.outputSize() + "px", r.iters(),
                    r.medianMs(), r.medianCpuMs(), Double.isNaN(r.peakMb()) ? "n/a" : String.format("%.0f%s", r.peakMb(), r.peakSinceReset() ? "" : "*"),
                    r.gmacs());
            out.flush();
        });
        if (rows.stream().anyMatch(r -> !r.peakSinceReset())) out.println("* peak since process start (the peak could not be reset)");
        double[] tokens = rows.stream().mapToDouble(UpliftBenchmark.Row::tokens).toArray();
        Plots.xy("UPLiFT " + config + " on the CPU (batch 1)", "tokens (input patches)", "median ms / peak MB")
                .logLog(true)
                .series("median ms", tokens, rows.stream().mapToDouble(UpliftBenchmark.Row::medianMs).toArray())
                .series("peak MB", tokens, rows.stream().mapToDouble(UpliftBenchmark.Row::peakMb).toArray())
                .save(plot, 800, 500);
        out.println("plot: " + plot);
        out.println("runs (ms): " + Arrays.toString(rows.stream().map(r -> Arrays.toString(
                Arrays.stream(r.runsMs()).map(Math::round).toArray())).toArray()));
        return 0;
    }
}
