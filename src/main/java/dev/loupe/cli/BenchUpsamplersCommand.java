package dev.loupe.cli;

import ai.djl.engine.Engine;
import dev.loupe.LoupeException;
import dev.loupe.backbone.Backbone;
import dev.loupe.backbone.Backbones;
import dev.loupe.eval.BenchMethod;
import dev.loupe.eval.UpsamplerBench;
import dev.loupe.eval.UpsamplerBenchReport;
import dev.loupe.models.LoupeHome;
import dev.loupe.tensor.AtomicFiles;
import dev.loupe.upsample.UpsamplerKind;
import dev.loupe.upsample.Upsamplers;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code loupe bench upsamplers}: UPLiFT against its peers on quality, time and memory. */
@Command(name = "upsamplers", mixinStandardHelpOptions = true, description = {
    "Compare upsamplers on one or more backbones: quality on held-out ShapesWorld scenes (dense linear probe mIoU and",
    "boundary F, reconstruction error at 2x and 4x), then median time and peak memory per image at each input size with",
    "pixel-dense output. On 'dinov2-s14-random' (DINOv2-S/14's shape, random weights) the upsamplers have random weights",
    "too (speed and memory only); on any other backbone they are the trained models in --models.",
    "Writes DIR/upsamplers.md (table, growth exponents, time ratios), DIR/upsamplers.json and PNG plots, and prints the table."})
public final class BenchUpsamplersCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--sizes", defaultValue = "224,448,672,896", split = ",", paramLabel = "PX", description = "Input sizes (default ${DEFAULT-VALUE}).")
    int[] sizes;

    @Option(names = "--backbone", defaultValue = Backbones.SAMPLE, split = ",", paramLabel = "sample|dinov2-s14-random|FILE",
            description = "Backbones, comma-separated (default ${DEFAULT-VALUE}).")
    List<String> backbones;

    @Option(names = "--methods", defaultValue = "bilinear,nearest,uplift,lift,jbu,xattn", split = ",", paramLabel = "NAME",
            description = "Upsamplers to compare (default ${DEFAULT-VALUE}).")
    List<String> methods;

    @Option(names = "--models", paramLabel = "DIR", description = "Folder holding the trained upsamplers sample-uplift, sample-lift, "
            + "sample-jbu, sample-xattn (default: the shipped sample-models).")
    Path models;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where to write upsamplers.md, upsamplers.json and the plots.")
    Path out;

    @Option(names = "--runs", defaultValue = "5", description = "Timed runs per method and size (median reported; default ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--warmup", defaultValue = "1", description = "Untimed runs first (default ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--max-seconds", defaultValue = "90", paramLabel = "S",
            description = "Fewer timed runs (at least one) once a method's add up to this at a size (default ${DEFAULT-VALUE}).")
    double maxSeconds;

    @Option(names = "--memory", defaultValue = "child", paramLabel = "child|in-process",
            description = "Measure peak memory in a fresh JVM per method and size (default), or in this process (faster, less isolated).")
    String memory;

    @Option(names = "--memory-cap-gb", defaultValue = "16", paramLabel = "GB", description = "Address-space cap of each measuring JVM (default ${DEFAULT-VALUE}).")
    double capGb;

    @Option(names = "--xattn-chunk-mb", defaultValue = "64", paramLabel = "MB",
            description = "Budget of one query chunk's attention matrix in cross-attention (default ${DEFAULT-VALUE}).")
    double chunkMb;

    @Option(names = "--scenes", defaultValue = "100", paramLabel = "N", description = "Held-out scenes for quality (default ${DEFAULT-VALUE}; 0 skips quality).")
    int scenes;

    @Option(names = "--probe-scenes", defaultValue = "64", paramLabel = "N", description = "Scenes the probes are fitted on (default ${DEFAULT-VALUE}).")
    int probeScenes;

    @Option(names = "--backbone-zooms", split = ",", paramLabel = "N",
            description = "Also score, beside the upsamplers, the backbone's own features of the image enlarged N times (e.g. 2,4): "
                    + "what the reconstruction objective asks upsamplers to imitate. Slow for large N (the backbone runs on the enlarged image).")
    int[] backboneZooms = new int[0];

    @Override
    public Integer call() throws Exception {
        UpsamplerBench.MemoryIsolation isolation = switch (memory) {
            case "child" -> UpsamplerBench.MemoryIsolation.CHILD;
            case "in-process" -> UpsamplerBench.MemoryIsolation.IN_PROCESS;
            default -> throw new CommandLine.ParameterException(spec.commandLine(), "--memory must be child or in-process, got " + memory);
        };
        if (scenes < 0 || probeScenes < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--scenes must be 0 or more and --probe-scenes at least 1");
        if (!(chunkMb > 0) || capGb < 0) throw new CommandLine.ParameterException(spec.commandLine(), "--xattn-chunk-mb must be positive and --memory-cap-gb not negative");
        UpsamplerBench.Settings settings = new UpsamplerBench.Settings(sizes, warmup, runs, maxSeconds, isolation, (long) (chunkMb * (1 << 20)),
                (long) (capGb * 1e9), scenes, probeScenes, backboneZooms);
        Files.createDirectories(out);
        PrintWriter log = spec.commandLine().getOut();
        List<UpsamplerBench.Report> reports = new ArrayList<>();
        List<List<String>> plots = new ArrayList<>();
        for (String name : backbones) {
            Engine.getInstance().setRandomSeed(0); // random backbones and upsamplers are the same in every run
            boolean random = name.equals(Backbones.RANDOM_DINOV2_S14);
            List<BenchMethod> list = methodsFor(random);
            ProgressLine progress = new ProgressLine(System.err);
            try (Backbone b = Backbones.open(name)) {
                // random-weight upsamplers have nothing to score
                UpsamplerBench.Report r = UpsamplerBench.run(b, list, random ? settings.withoutQuality() : settings, progress);
                progress.finish();
                reports.add(r);
                plots.add(UpsamplerBenchReport.plots(r, out));
                log.printf(Locale.ROOT, "%n%s (%d channels, patch %d)%n%n", r.backbone(), r.channels(), r.patch());
                log.print(UpsamplerBenchReport.table(r));
                log.println();
                if (!r.references().isEmpty()) {
                    log.print(UpsamplerBenchReport.referenceTable(r));
                    log.println();
                }
                UpsamplerBenchReport.summary(r).forEach(log::println);
                log.flush();
            }
        }
        AtomicFiles.writeString(out.resolve("upsamplers.md"), UpsamplerBenchReport.markdown(reports, plots, command()));
        AtomicFiles.writeString(out.resolve("upsamplers.json"), UpsamplerBenchReport.jsonText(reports));
        log.println();
        log.println("wrote " + out.resolve("upsamplers.md") + ", upsamplers.json and " + plots.stream().flatMap(List::stream).collect(Collectors.joining(", ")));
        return 0;
    }

    private List<BenchMethod> methodsFor(boolean random) {
        Path dir = models != null ? models : LoupeHome.sampleModels();
        List<BenchMethod> list = new ArrayList<>();
        for (String m : methods) {
            if (!Upsamplers.NAMES.contains(m)) {
                throw new LoupeException("unknown method '" + m + "' in --methods (use " + String.join(", ", Upsamplers.NAMES) + ")");
            }
            if (m.equals(Upsamplers.BILINEAR) || m.equals(Upsamplers.NEAREST)) {
                list.add(BenchMethod.fixed(m));
                continue;
            }
            UpsamplerKind kind = UpsamplerKind.of(m);
            if (random) {
                list.add(BenchMethod.random(kind));
            } else {
                Path folder = dir.resolve(kind.sampleFolder());
                if (!Files.isRegularFile(folder.resolve("model.json"))) {
                    throw new LoupeException("no trained " + kind.id() + " in " + folder + ": train it with './loupe train "
                            + (kind == UpsamplerKind.UPLIFT ? "uplift" : "upsampler --kind " + kind.id()) + "', or leave it out of --methods");
                }
                list.add(BenchMethod.folder(kind.id(), folder));
            }
        }
        return list;
    }

    private String command() {
        StringBuilder sb = new StringBuilder("./loupe bench upsamplers --sizes ")
                .append(Arrays.stream(sizes).mapToObj(String::valueOf).collect(Collectors.joining(",")))
                .append(" --backbone ").append(String.join(",", backbones));
        if (!methods.equals(List.of("bilinear", "nearest", "uplift", "lift", "jbu", "xattn"))) sb.append(" --methods ").append(String.join(",", methods));
        if (models != null) sb.append(" --models ").append(models);
        sb.append(" --runs ").append(runs).append(" --warmup ").append(warmup);
        if (maxSeconds != 90) sb.append(" --max-seconds ").append(maxSeconds);
        if (!memory.equals("child")) sb.append(" --memory ").append(memory);
        if (scenes != 100) sb.append(" --scenes ").append(scenes);
        if (probeScenes != 64) sb.append(" --probe-scenes ").append(probeScenes);
        if (backboneZooms.length > 0) {
            sb.append(" --backbone-zooms ").append(Arrays.stream(backboneZooms).mapToObj(String::valueOf).collect(Collectors.joining(",")));
        }
        return sb.append(" --out ").append(out).toString();
    }
}
