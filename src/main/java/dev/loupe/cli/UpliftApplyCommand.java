package dev.loupe.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.loupe.LoupeException;
import dev.loupe.tensor.Images;
import dev.loupe.tensor.Resize;
import dev.loupe.tensor.SafeTensors;
import dev.loupe.tensor.TensorRef;
import dev.loupe.upsample.uplift.Uplift;
import dev.loupe.upsample.uplift.UpliftConfig;
import dev.loupe.upsample.uplift.UpliftInference;
import dev.loupe.upsample.uplift.UpliftUpsampler;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code loupe uplift apply}: upsample a feature tensor with UPLiFT weights, as the reference's model call does. */
@Command(name = "apply", mixinStandardHelpOptions = true,
        description = {"Upsample backbone features with an UPLiFT model and write the result as safetensors.",
            "A TENSOR is FILE.safetensors#key (a float NCHW tensor; the key may be left out when the file holds one).",
            "An image given as a tensor is the model's input as is (normalised as the backbone expects); a PNG or JPEG "
                    + "file is decoded to [0,1] and normalised as the configuration says."})
public final class UpliftApplyCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--weights", required = true, paramLabel = "W.safetensors", description = "UPLiFT weights (official or Loupe's).")
    Path weights;

    @Option(names = "--config", defaultValue = "dinov2-s14", paramLabel = "NAME|FILE",
            description = "Shipped configuration (dinov2-s14, dinov3-splus16, sd15-vae, sample-vit16) or a YAML/JSON file. Default: ${DEFAULT-VALUE}.")
    String config;

    @Option(names = "--image", required = true, paramLabel = "IMAGE_OR_TENSOR", description = "The guide image: PNG/JPEG, or a tensor [B,3,H,W].")
    String image;

    @Option(names = "--features", required = true, paramLabel = "TENSOR", description = "Backbone features [B,C,h,w].")
    String features;

    @Option(names = "--iters", required = true, paramLabel = "N", description = "Number of 2x steps.")
    int iters;

    @Option(names = "--all-steps", description = "Write every step (keys step1..stepN) instead of the last (key out).")
    boolean allSteps;

    @Option(names = "--outsize", paramLabel = "H,W", description = "Resize the final output to H x W (bilinear, as the reference's outsize).")
    String outsize;

    @Option(names = "--out", required = true, paramLabel = "OUT.safetensors", description = "Where to write the result.")
    Path out;

    @Override
    public Integer call() throws Exception {
        PrintWriter log = spec.commandLine().getOut();
        if (iters < 1) throw new LoupeException("--iters must be at least 1, got " + iters);
        int[] size = outsize == null ? null : parseSize(outsize);
        if (size != null && allSteps) {
            throw new LoupeException("--outsize and --all-steps cannot be combined (the reference returns only the resized output)");
        }
        UpliftConfig cfg = UpliftConfig.load(config);
        long start = System.nanoTime();
        try (NDManager manager = NDManager.newBaseManager()) {
            Uplift model = Uplift.load(manager, cfg, weights);
            NDArray feats = TensorRef.parse(features).read(manager);
            NDArray input = readImage(image, cfg, manager);
            if (feats.getShape().dimension() != 4) throw new LoupeException(features + " is not a 4-d NCHW tensor: " + feats.getShape());
            Map<String, NDArray> result = new LinkedHashMap<>();
            try (UpliftInference fast = model.inference()) {
                List<NDArray> steps = fast.run(input, feats, iters, allSteps);
                if (allSteps) {
                    for (int i = 0; i < steps.size(); i++) result.put("step" + (i + 1), steps.get(i));
                } else {
                    NDArray last = steps.get(0);
                    result.put("out", size == null ? last : Resize.torchvisionBilinear(last, size[0], size[1]));
                }
            }
            SafeTensors.write(out, result);
            StringBuilder shapes = new StringBuilder();
            result.forEach((k, v) -> shapes.append(shapes.length() == 0 ? "" : ", ").append(k).append(' ').append(v.getShape()));
            log.printf("wrote %s: %s (%d step%s in %.0f ms)%n", out, shapes, iters, iters == 1 ? "" : "s",
                    (System.nanoTime() - start) / 1e6);
        }
        return 0;
    }

    /** A tensor is used as is; an image file is decoded and normalised for the configuration's backbone. */
    static NDArray readImage(String arg, UpliftConfig cfg, NDManager manager) {
        if (TensorRef.looksLikeTensor(arg)) {
            NDArray t = TensorRef.parse(arg).read(manager);
            if (t.getShape().dimension() != 4 || t.getShape().get(1) != 3) {
                throw new LoupeException(arg + " is not an image tensor [B,3,H,W]: " + t.getShape());
            }
            return t;
        }
        NDArray rgb = Images.read(Path.of(arg), manager);
        return UpliftUpsampler.normalise(rgb, cfg.imageNorm());
    }

    static int[] parseSize(String text) {
        String[] parts = text.split("[,x]");
        try {
            if (parts.length == 2) {
                int h = Integer.parseInt(parts[0].trim());
                int w = Integer.parseInt(parts[1].trim());
                if (h > 0 && w > 0) return new int[] {h, w};
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new LoupeException("--outsize must be H,W with positive integers, got '" + text + "'");
    }
}
