package dev.loupe.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * One reused direct buffer through which plain-Java kernels write a float32 result chunk by chunk: the kernel fills
 * {@link #floats()} (absolute puts from index 0), then {@link #copyInto} wraps the filled part as an array without a
 * copy and sets it into place in the output. The heap never holds the output, and the buffer is allocated once.
 */
public final class DirectChunks {
    private final ByteBuffer bytes;
    private final FloatBuffer floats;

    /** A buffer for chunks of up to {@code maxFloats} floats. */
    public DirectChunks(long maxFloats) {
        bytes = ByteBuffer.allocateDirect((int) (maxFloats * Float.BYTES)).order(ByteOrder.nativeOrder());
        floats = bytes.asFloatBuffer();
    }

    /** Where the kernel writes the next chunk. */
    public FloatBuffer floats() {
        return floats;
    }

    /** Copies the chunk of {@code shape} (the buffer's first floats) into {@code out} at {@code where}. */
    public void copyInto(NDArray out, NDIndex where, Shape shape) {
        // the limit tells DJL how much of the buffer is the chunk (the last one may be smaller)
        bytes.limit((int) (shape.size() * Float.BYTES));
        try (NDArray chunk = out.getManager().create(bytes, shape, DataType.FLOAT32)) {
            out.set(where, chunk);
        }
        bytes.clear();
        // the chunk only wraps the buffer: it must outlive the copy
        java.lang.ref.Reference.reachabilityFence(bytes);
    }
}
