package dev.loupe.backbone;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.loupe.LoupeException;
import java.nio.file.Path;

/**
 * A backbone from an exported model file ({@link TorchScriptBackbone}, {@link OnnxBackbone}): the file takes
 * {@code [B,3,H,W]} normalised float32 and returns {@code [B,C,H/patch,W/patch]}. The metadata comes from the
 * sidecar JSON ({@link BackboneMetadata}); on opening, the model runs once on a blank image of the preferred size
 * so that a file that loads but returns the wrong thing is refused at once, with what it returned.
 */
abstract class ExportedBackbone implements Backbone {
    protected final Path file;
    protected final BackboneMetadata metadata;
    private int channels;

    protected ExportedBackbone(Path file, BackboneMetadata metadata) {
        this.file = file;
        this.metadata = metadata;
    }

    /**
     * Loads {@code file} with {@code engine}; every failure closes the model and becomes a {@link LoupeException} naming
     * the file, as a {@code format} file, with {@code advice} when the file is not one.
     */
    static ai.djl.Model loadModel(Path file, String engine, String format, String advice) {
        if (!java.nio.file.Files.isRegularFile(file)) throw new LoupeException(file + ": no such file");
        ai.djl.Model model = ai.djl.Model.newInstance(file.getFileName().toString(), ai.djl.Device.cpu(), engine);
        try {
            model.load(file.toAbsolutePath());
            return model;
        } catch (java.io.IOException | ai.djl.MalformedModelException | ai.djl.engine.EngineException | IllegalArgumentException e) {
            model.close();
            throw new LoupeException(file + " is not " + format + " model Loupe can load" + advice + ": " + firstLine(e), e);
        } catch (RuntimeException e) {
            model.close();
            throw new LoupeException(file + " could not be loaded as " + format.replaceFirst("^an? ", "") + ": " + firstLine(e), e);
        }
    }

    /** Probes a freshly built backbone, closing it when the probe refuses it. */
    static <B extends ExportedBackbone> B probed(B backbone) {
        try {
            backbone.probe();
        } catch (RuntimeException e) {
            backbone.close();
            throw e;
        }
        return backbone;
    }

    static String firstLine(Throwable e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) return e.getClass().getSimpleName();
        return m.lines().filter(l -> !l.isBlank()).findFirst().orElse(m).trim();
    }

    /** Runs the model on a normalised batch; the result may live anywhere (it is copied into {@code target}). */
    protected abstract NDArray run(NDArray normalised, NDManager target);

    /** First run: learns the channel count and checks the output against the metadata. */
    protected final void probe() {
        int size = metadata.preferredSize();
        try (NDManager scope = NDManager.newBaseManager()) {
            NDArray blank = scope.zeros(new Shape(1, 3, size, size), DataType.FLOAT32);
            NDArray out = checkedRun(blank, scope, "on a " + size + "x" + size + " test image");
            int found = (int) out.getShape().get(1);
            if (metadata.channels().isPresent() && metadata.channels().get() != found) {
                throw new LoupeException(file + " returns " + found + " channels but its metadata ("
                        + metadata.source().map(Path::toString).orElse("defaults") + ") says " + metadata.channels().get());
            }
            channels = found;
        }
    }

    private NDArray checkedRun(NDArray normalised, NDManager target, String when) {
        NDArray out;
        try {
            out = run(normalised, target);
        } catch (LoupeException e) {
            throw e;
        } catch (RuntimeException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
            throw new LoupeException(file + " failed " + when + " (input [B,3,H,W] float32, normalised with "
                    + metadata.normalisation() + "): " + why, e);
        }
        Shape s = out.getShape();
        long h = normalised.getShape().get(2);
        long w = normalised.getShape().get(3);
        if (s.dimension() != 4) {
            String hint = s.dimension() == 3 ? " (tokens [B,N,C]? reshape them to [B,C,h,w] in the export wrapper)" : "";
            throw new LoupeException(file + " returned a tensor of shape " + s + " " + when + "; Loupe needs features [B,C,h,w]" + hint);
        }
        if (s.get(0) != normalised.getShape().get(0) || s.get(2) != h / metadata.patchSize() || s.get(3) != w / metadata.patchSize()) {
            throw new LoupeException(file + " returned " + s + " for an input of " + normalised.getShape() + " " + when
                    + "; with patch size " + metadata.patchSize() + " Loupe expects [" + normalised.getShape().get(0) + ",C,"
                    + h / metadata.patchSize() + "," + w / metadata.patchSize() + "] (set patch_size in "
                    + BackboneMetadata.sidecarName(file) + ")");
        }
        return out.getDataType() == DataType.FLOAT32 ? out : out.toType(DataType.FLOAT32, false);
    }

    @Override
    public final String name() {
        return metadata.name();
    }

    @Override
    public final int patchSize() {
        return metadata.patchSize();
    }

    @Override
    public final int channels() {
        return channels;
    }

    @Override
    public final Normalisation normalisation() {
        return metadata.normalisation();
    }

    @Override
    public final int preferredSize() {
        return metadata.preferredSize();
    }

    @Override
    public final boolean fixedSize() {
        return metadata.fixedSize();
    }

    public BackboneMetadata metadata() {
        return metadata;
    }

    @Override
    public final NDArray extract(NDArray image) {
        BackboneInput.checkImage(image, patchSize(), file.toString());
        if (fixedSize() && (image.getShape().get(2) != preferredSize() || image.getShape().get(3) != preferredSize())) {
            throw new LoupeException(file + " only takes " + preferredSize() + "x" + preferredSize() + " images (fixed_size), got "
                    + image.getShape().get(2) + "x" + image.getShape().get(3));
        }
        NDManager target = image.getManager();
        try (NDManager scope = target.newSubManager()) {
            image.tempAttach(scope);
            NDArray out = checkedRun(normalisation().apply(image), scope, "on an image of " + image.getShape());
            NDArray result = out.stopGradient();
            result.attach(target);
            return result;
        }
    }
}
