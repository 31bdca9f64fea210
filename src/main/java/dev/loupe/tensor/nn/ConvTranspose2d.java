package dev.loupe.tensor.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.loupe.tensor.Module;
import dev.loupe.tensor.Parameter;

/** {@code torch.nn.ConvTranspose2d} without padding; keys {@code weight} [in,out,k,k] and {@code bias} [out]. */
public final class ConvTranspose2d extends Module {
    private final Parameter weight;
    private final Parameter bias;
    private final int in;
    private final int out;
    private final int kernel;
    private final int stride;

    public ConvTranspose2d(NDManager manager, int in, int out, int kernel, int stride, boolean withBias) {
        super(manager);
        this.in = in;
        this.out = out;
        this.kernel = kernel;
        this.stride = stride;
        // PyTorch computes fan_in of a transposed convolution from weight.size(1) * k * k.
        long fanIn = (long) out * kernel * kernel;
        weight = parameter("weight", uniformFanIn(manager, new Shape(in, out, kernel, kernel), fanIn));
        bias = withBias ? parameter("bias", uniformFanIn(manager, new Shape(out), fanIn)) : null;
    }

    /**
     * DJL's PyTorch engine does not implement deconvolution, so it is written with operations it has (all
     * differentiable): with kernel = stride (the usual 2x upsampler) every input pixel paints its own k x k output
     * cell, which is a 1x1 convolution to O k k channels and a pixel shuffle; otherwise the input is dilated with
     * zeros and convolved with the flipped, transposed kernel.
     */
    public NDArray forward(NDArray x) {
        if (kernel == stride) return cellwise(x);
        NDArray out = dilatedConvolution(x);
        return bias == null ? out : out.add(bias.array().reshape(1, -1, 1, 1));
    }

    /**
     * The 1x1 convolution reads the input where it lies (no transposed copy) and adds the bias on the way, so the only
     * pass over the output is the shuffle.
     */
    private NDArray cellwise(NDArray x) {
        Shape s = x.getShape(); // [B,C,h,w]
        long b = s.get(0);
        long h = s.get(2);
        long w = s.get(3);
        long cells = (long) out * kernel * kernel;
        NDArray pointwise = weight.array().transpose(1, 2, 3, 0).reshape(cells, in, 1, 1); // [O*k*k,C,1,1]
        NDArray cellBias = bias == null ? null
                : bias.array().reshape(out, 1).broadcast(out, (long) kernel * kernel).reshape(cells);
        NDArray painted = dev.loupe.tensor.Convolutions.conv2d(x, pointwise, cellBias, 1, 0, 1); // [B,O*k*k,h,w]
        return painted.reshape(b, out, kernel, kernel, h, w) // [B,O,i,j,h,w]
                .transpose(0, 1, 4, 2, 5, 3) // [B,O,h,i,w,j]
                .reshape(b, out, h * kernel, w * kernel);
    }

    private NDArray dilatedConvolution(NDArray x) {
        Shape s = x.getShape();
        long b = s.get(0);
        long h = s.get(2);
        long w = s.get(3);
        NDArray dilated = x;
        if (stride > 1) {
            // [B,C,h,1,w,1] padded with zeros to [B,C,h,s,w,s], then cropped to [B,C,(h-1)s+1,(w-1)s+1]
            NDArray cell = x.reshape(b, in, h, 1, w, 1);
            NDArray zerosRow = x.getManager().zeros(new Shape(b, in, h, stride - 1, w, 1), x.getDataType());
            NDArray tall = cell.concat(zerosRow, 3);
            NDArray zerosCol = x.getManager().zeros(new Shape(b, in, h, stride, w, stride - 1), x.getDataType());
            dilated = tall.concat(zerosCol, 5).reshape(b, in, h * stride, w * stride)
                    .get(new ai.djl.ndarray.index.NDIndex(":, :, :{}, :{}", (h - 1) * stride + 1, (w - 1) * stride + 1));
        }
        NDArray flipped = weight.array().flip(2, 3).transpose(1, 0, 2, 3); // [O,C,k,k]
        return dev.loupe.tensor.Convolutions.conv2d(dilated, flipped, null, 1, kernel - 1, 1);
    }

    /** Multiply-accumulates for one sample with an input of {@code inH x inW}. */
    public long macs(long inH, long inW) {
        return inH * inW * in * out * kernel * kernel;
    }

    public Parameter weight() { return weight; }
}
