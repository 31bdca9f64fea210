package dev.loupe.backbone;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import dev.loupe.LoupeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A TorchScript file (DJL's PyTorch engine) as a backbone: {@code forward(x)} takes {@code [B,3,H,W]} normalised
 * float32 and returns {@code [B,C,H/patch,W/patch]} (the first output, if it returns several). Metadata:
 * {@link BackboneMetadata}.
 */
public final class TorchScriptBackbone extends ExportedBackbone {
    private final Model model;

    private TorchScriptBackbone(Path file, BackboneMetadata metadata, Model model) {
        super(file, metadata);
        this.model = model;
    }

    /** Loads and probes {@code file}; every failure is a {@link LoupeException} naming the file. */
    public static TorchScriptBackbone open(Path file) {
        if (!Files.isRegularFile(file)) throw new LoupeException(file + ": no such file");
        BackboneMetadata metadata = BackboneMetadata.forModel(file);
        Model model = Model.newInstance(file.getFileName().toString(), Device.cpu(), "PyTorch");
        try {
            model.load(file.toAbsolutePath());
        } catch (IOException | MalformedModelException | EngineException | IllegalArgumentException e) {
            model.close();
            throw new LoupeException(file + " is not a TorchScript model Loupe can load (export it with torch.jit.trace or "
                    + "torch.jit.script and save the result): " + firstLine(e), e);
        } catch (RuntimeException e) {
            model.close();
            throw new LoupeException(file + " could not be loaded as TorchScript: " + firstLine(e), e);
        }
        TorchScriptBackbone backbone = new TorchScriptBackbone(file, metadata, model);
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

    @Override
    protected NDArray run(NDArray normalised, NDManager target) {
        NDList out = model.getBlock().forward(new ParameterStore(target, false), new NDList(normalised), false);
        if (out.isEmpty()) throw new LoupeException(file + " returned nothing");
        NDArray first = out.head();
        first.attach(target);
        return first;
    }

    @Override
    public void close() {
        model.close();
    }
}
