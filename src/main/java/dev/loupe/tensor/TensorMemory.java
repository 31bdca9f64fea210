package dev.loupe.tensor;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDManager;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Lets a plain-Java kernel write its float32 result straight into the memory of a new PyTorch tensor: no heap copy
 * of the output, no staging buffer, and no engine call to set chunks into place (those copies were about 7% of
 * UPLiFT's time at 448 px).
 */
public final class TensorMemory {
    /** Floats per view: a Java buffer holds at most 2 GB, a tensor may hold more. */
    private static final long SEGMENT_FLOATS = 1L << 28;

    private TensorMemory() {}

    /**
     * A new float32 tensor of {@code shape} in {@code manager} (a PyTorch CPU manager), filled by {@code writer}
     * through {@link Lines} over the tensor's own memory. The views are valid only during the call.
     */
    public static NDArray fill(NDManager manager, Shape shape, Consumer<Lines> writer) {
        return fill(manager, shape, writer, SEGMENT_FLOATS);
    }

    /** {@link #fill} with views of at most {@code segmentFloats} floats (small ones for tests). */
    static NDArray fill(NDManager manager, Shape shape, Consumer<Lines> writer, long segmentFloats) {
        if (!(manager instanceof PtNDManager) || !manager.getDevice().equals(Device.cpu())) {
            throw new IllegalArgumentException("writing a tensor in place needs a PyTorch manager on the CPU, got "
                    + manager.getClass().getSimpleName() + " on " + manager.getDevice());
        }
        long width = shape.dimension() == 0 ? 1 : shape.get(shape.dimension() - 1);
        long lines = width == 0 ? 0 : shape.size() / width;
        long linesPerView = Math.max(1, segmentFloats / Math.max(1, width));
        NDArray out = manager.create(shape, DataType.FLOAT32);
        List<NDArray> views = new ArrayList<>();
        try {
            List<FloatBuffer> buffers = new ArrayList<>();
            try (NDArray byLine = out.reshape(lines, width)) {
                for (long first = 0; first < lines; first += linesPerView) {
                    NDArray view = byLine.get(new NDIndex("{}:{}", first, Math.min(lines, first + linesPerView)));
                    views.add(view);
                    // a slice of whole lines of a fresh tensor is contiguous and dense, so DJL hands out its own
                    // memory rather than a copy
                    buffers.add(view.toByteBuffer(true).order(ByteOrder.nativeOrder()).asFloatBuffer());
                }
                writer.accept(new Lines(buffers, linesPerView * width, width));
            }
            return out;
        } catch (RuntimeException | Error e) {
            out.close();
            throw e;
        } finally {
            views.forEach(NDArray::close);
        }
    }

    /**
     * The memory of a tensor in row-major order, written a line (or part of one) of its last axis at a time; safe for
     * writers on several threads that write different elements.
     */
    public static final class Lines {
        private final List<FloatBuffer> views;
        private final long viewFloats;
        private final long width;

        private Lines(List<FloatBuffer> views, long viewFloats, long width) {
            this.views = views;
            this.viewFloats = viewFloats;
            this.width = width;
        }

        /**
         * Copies {@code length} floats of {@code source} from {@code offset} to element {@code index} (row-major)
         * onwards; they must lie within one line of the last axis.
         */
        public void put(long index, float[] source, int offset, int length) {
            if (length > 0 && index / width != (index + length - 1) / width) {
                throw new IndexOutOfBoundsException("floats " + index + ".." + (index + length - 1) + " cross a line of " + width);
            }
            views.get((int) (index / viewFloats)).put((int) (index % viewFloats), source, offset, length);
        }
    }
}
