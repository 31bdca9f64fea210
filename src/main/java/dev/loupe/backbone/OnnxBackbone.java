package dev.loupe.backbone;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;
import dev.loupe.LoupeException;
import java.nio.file.Path;

/**
 * An ONNX file (DJL's ONNX Runtime engine) as a backbone, with the contract of {@link TorchScriptBackbone}: one
 * float32 input {@code [B,3,H,W]} (normalised), first output {@code [B,C,H/patch,W/patch]}. ONNX Runtime's arrays
 * cannot take part in tensor operations, so inputs are handed over as ONNX Runtime arrays and outputs are copied
 * into the caller's (PyTorch) manager at once.
 */
public final class OnnxBackbone extends ExportedBackbone {
    private final Model model;

    private OnnxBackbone(Path file, BackboneMetadata metadata, Model model) {
        super(file, metadata);
        this.model = model;
    }

    /** Loads and probes {@code file}; every failure is a {@link LoupeException} naming the file. */
    public static OnnxBackbone open(Path file) {
        BackboneMetadata metadata = BackboneMetadata.forModel(file);
        return probed(new OnnxBackbone(file, metadata, loadModel(file, "OnnxRuntime", "an ONNX", "")));
    }

    @Override
    protected NDArray run(NDArray normalised, NDManager target) {
        try (NDManager ort = model.getNDManager().newSubManager()) {
            NDArray input = ort.create(normalised.toType(DataType.FLOAT32, false).toFloatArray(), normalised.getShape());
            NDList out = model.getBlock().forward(new ParameterStore(ort, false), new NDList(input), false);
            if (out.isEmpty()) throw new LoupeException(file + " returned nothing");
            NDArray first = out.head();
            NDArray copy = switch (first.getDataType()) {
                case FLOAT32 -> target.create(first.toFloatArray(), first.getShape());
                case FLOAT64 -> target.create(first.toDoubleArray(), first.getShape());
                default -> throw new LoupeException(file + " returned " + first.getDataType() + " features; Loupe needs float32");
            };
            out.close();
            return copy;
        }
    }

    @Override
    public void close() {
        model.close();
    }
}
