package dev.loupe.backbone;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import dev.loupe.LoupeException;
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
        BackboneMetadata metadata = BackboneMetadata.forModel(file);
        return probed(new TorchScriptBackbone(file, metadata, loadModel(file, "PyTorch", "a TorchScript",
                " (export it with torch.jit.trace or torch.jit.script and save the result)")));
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
