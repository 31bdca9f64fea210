package dev.loupe.cli;

import dev.loupe.LoupeException;
import dev.loupe.backbone.Backbone;
import dev.loupe.backbone.Backbones;
import dev.loupe.features.ColourMap;
import dev.loupe.features.DenseFeatures;
import dev.loupe.features.FeaturePipeline;
import dev.loupe.features.Similarity;
import dev.loupe.tensor.Images;
import dev.loupe.upsample.Upsampler;
import dev.loupe.upsample.Upsamplers;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code loupe features}: an image's backbone features, upsampled, as PCA colour images and a safetensors file. */
@Command(name = "features", mixinStandardHelpOptions = true, description = {
    "Extract an image's backbone features, upsample them to pixel density and write them as PCA colour maps.",
    "Files in DIR: input.png (the image the backbone saw), lowres_pca.png (tokens as blocks), upsampled_pca.png,",
    "overlay.png (upsampled PCA over the image) and dense_features.safetensors (keys 'features' [1,C,H,W] and",
    "'low_res' [1,C,h,w]); with --similarity X,Y also lowres_similarity.png and upsampled_similarity.png.",
    "Both PCA images use one basis and one colour scale, fitted on the low-resolution tokens."})
public final class FeaturesCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--image", required = true, paramLabel = "IMG", description = "A PNG, JPEG, BMP or GIF image.")
    Path image;

    @Option(names = "--backbone", defaultValue = Backbones.SAMPLE, paramLabel = "sample|FILE",
            description = "'sample' (the shipped sample ViT), a TorchScript (.pt) or ONNX (.onnx) file with an optional "
                    + "FILE.json sidecar (default ${DEFAULT-VALUE}).")
    String backbone;

    @Option(names = "--upsampler", defaultValue = Upsamplers.UPLIFT, paramLabel = "NAME|DIR",
            description = "'uplift' (the sample UPLiFT, for the sample backbone), its trained peers 'lift', 'jbu' and "
                    + "'xattn', 'bilinear', 'nearest', or a folder from 'loupe train uplift' or 'loupe train upsampler' "
                    + "(default ${DEFAULT-VALUE}).")
    String upsampler;

    @Option(names = "--size", defaultValue = "0", paramLabel = "N",
            description = "Longer side of the backbone input in pixels (rounded to whole patches); 0 = the backbone's preferred size.")
    int size;

    @Option(names = "--max-pixels", defaultValue = "16777216", paramLabel = "N",
            description = "Images with more pixels are shrunk to this many while decoding (default ${DEFAULT-VALUE}).")
    long maxPixels;

    @Option(names = "--opacity", defaultValue = "0.6", paramLabel = "A", description = "Opacity of the PCA colours in overlay.png (default ${DEFAULT-VALUE}).")
    double opacity;

    @Option(names = "--similarity", paramLabel = "X,Y", description = "Also write cosine-similarity maps from this pixel of input.png.")
    String similarity;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder (created if missing).")
    Path out;

    @Override
    public Integer call() throws IOException {
        if (!(opacity >= 0 && opacity <= 1)) throw new CommandLine.ParameterException(spec.commandLine(), "--opacity must be between 0 and 1, got " + opacity);
        if (size < 0 || size > FeaturePipeline.MAX_SIZE) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--size must be between 0 and " + FeaturePipeline.MAX_SIZE + ", got " + size);
        }
        int[] pixel = similarity == null ? null : parsePixel(similarity);
        if (Files.exists(out) && !Files.isDirectory(out)) throw new LoupeException(out + ": exists and is not a folder");
        PrintWriter log = spec.commandLine().getOut();
        ProgressLine progress = new ProgressLine(System.err);
        long t = System.nanoTime();
        try (Backbone b = Backbones.open(backbone)) {
            double loadBackbone = (System.nanoTime() - t) / 1e6;
            t = System.nanoTime();
            try (Upsampler u = Upsamplers.open(upsampler, b.channels(), b.patchSize(), backbone)) {
                double loadUpsampler = (System.nanoTime() - t) / 1e6;
                try (DenseFeatures f = FeaturePipeline.run(image, b, u, new FeaturePipeline.Options(size, maxPixels), progress)) {
                    progress.finish();
                    if (!f.note().isEmpty()) log.println("note: " + f.note());
                    Files.createDirectories(out);
                    t = System.nanoTime();
                    Images.writePng(out.resolve("input.png"), f.imageRgb());
                    Images.writePng(out.resolve("lowres_pca.png"), f.lowResPcaAtImageSize());
                    Images.writePng(out.resolve("upsampled_pca.png"), f.densePca());
                    Images.writePng(out.resolve("overlay.png"), f.overlay(opacity));
                    f.writeFeatures(out.resolve("dense_features.safetensors"));
                    if (pixel != null) writeSimilarity(f, pixel);
                    double write = (System.nanoTime() - t) / 1e6;
                    log.printf(Locale.ROOT, "%s (%d channels, patch %d) + %s: %dx%d px, %dx%d tokens%n", b.name(), b.channels(),
                            b.patchSize(), u.name(), f.width(), f.height(), f.lowRes().getShape().get(3), f.lowRes().getShape().get(2));
                    log.printf(Locale.ROOT, "  %-10s %8.1f ms%n", "load model", loadBackbone);
                    log.printf(Locale.ROOT, "  %-10s %8.1f ms%n", "load upsampler", loadUpsampler);
                    for (DenseFeatures.Stage s : f.stages()) log.printf(Locale.ROOT, "  %-10s %8.1f ms%n", s.name(), s.millis());
                    log.printf(Locale.ROOT, "  %-10s %8.1f ms%n", "write", write);
                    double[] ev = f.pca().explainedVariance();
                    log.printf(Locale.ROOT, "PCA of the low-resolution tokens: %.0f%%, %.0f%%, %.0f%% of the variance (red, green, blue)%n",
                            100 * ev[0], 100 * ev[1], 100 * ev[2]);
                    log.println("wrote " + out);
                }
            }
        }
        return 0;
    }

    private void writeSimilarity(DenseFeatures f, int[] pixel) throws IOException {
        int x = pixel[0];
        int y = pixel[1];
        if (x >= f.width() || y >= f.height()) {
            throw new LoupeException("--similarity " + x + "," + y + " is outside the " + f.width() + "x" + f.height() + " input image");
        }
        Similarity.Scores low = f.lowResSimilarity(x, y);
        Similarity.Scores dense = f.denseSimilarity(x, y);
        Images.writePng(out.resolve("lowres_similarity.png"), low.render(ColourMap.VIRIDIS, 0, 1, f.width(), f.height()));
        Images.writePng(out.resolve("upsampled_similarity.png"), dense.render(ColourMap.VIRIDIS, 0, 1, f.width(), f.height()));
    }

    private int[] parsePixel(String text) {
        String[] parts = text.split(",");
        try {
            if (parts.length == 2) {
                int x = Integer.parseInt(parts[0].trim());
                int y = Integer.parseInt(parts[1].trim());
                if (x >= 0 && y >= 0) return new int[] {x, y};
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new CommandLine.ParameterException(spec.commandLine(), "--similarity must be X,Y with non-negative integers, got '" + text + "'");
    }
}
