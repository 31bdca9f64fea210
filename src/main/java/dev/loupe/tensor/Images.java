package dev.loupe.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.loupe.LoupeException;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Images to and from tensors: decoding a file with clear errors (not an image, truncated, too large), RGB
 * tensors {@code [1,3,H,W]} in [0,1], PNG writing (atomic) and the ImageNet normalisation that DINO-style
 * backbones and UPLiFT's encoder expect.
 */
public final class Images {
    private Images() {}

    public static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f};
    public static final float[] IMAGENET_STD = {0.229f, 0.224f, 0.225f};

    /** Default pixel limit: 64 megapixels (a 8192 x 8192 image). */
    public static final long DEFAULT_MAX_PIXELS = 64L << 20;

    /** What to do with an image above the pixel limit. */
    public enum TooLarge { REJECT, RESIZE_TO_LIMIT }

    /**
     * A decoded image. {@code resized} says whether it was shrunk to fit the limit (then {@code note} says from
     * what to what, for the caller to show).
     */
    public record Decoded(NDArray image, int originalWidth, int originalHeight, boolean resized, String note) {
        public int width() { return (int) image.getShape().get(3); }

        public int height() { return (int) image.getShape().get(2); }
    }

    /** Decodes with the default limit, rejecting larger images. */
    public static NDArray read(Path file, NDManager manager) {
        return read(file, manager, DEFAULT_MAX_PIXELS, TooLarge.REJECT).image();
    }

    /**
     * Decodes PNG, JPEG, BMP or GIF into {@code [1,3,H,W]} RGB in [0,1] (alpha dropped, grey expanded). The size is
     * read from the header before any pixel is decoded, so a huge image costs nothing to reject.
     */
    public static Decoded read(Path file, NDManager manager, long maxPixels, TooLarge policy) {
        if (!Files.exists(file)) throw new LoupeException(file + ": no such file");
        if (!Files.isRegularFile(file)) throw new LoupeException(file + ": not a file");
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in == null) throw new LoupeException(file + ": cannot be opened");
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new LoupeException(file + " is not an image Loupe can read (PNG, JPEG, BMP or GIF)");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                int width = reader.getWidth(0);
                int height = reader.getHeight(0);
                long pixels = (long) width * height;
                ImageReadParam param = reader.getDefaultReadParam();
                int step = 1;
                if (pixels > maxPixels) {
                    if (policy == TooLarge.REJECT) {
                        throw new LoupeException(file + " is too large: " + width + "x" + height + " = "
                                + pixels + " pixels, more than the limit of " + maxPixels);
                    }
                    // Subsample while decoding so the full image is never held, then resize exactly to the limit.
                    step = (int) Math.floor(Math.sqrt((double) pixels / maxPixels));
                    if (step > 1) param.setSourceSubsampling(step, step, 0, 0);
                }
                BufferedImage image = reader.read(0, param);
                NDArray tensor = toTensor(image, manager);
                if (pixels <= maxPixels) return new Decoded(tensor, width, height, false, "");
                double f = Math.sqrt((double) maxPixels / pixels);
                int w = Math.max(1, (int) Math.floor(width * f));
                int h = Math.max(1, (int) Math.floor(height * f));
                NDArray small = Resize.antialiased(tensor, h, w, Resize.Filter.BILINEAR);
                if (small != tensor) tensor.close(); // Resize returns its input when the size already fits
                return new Decoded(small, width, height, true,
                        file + " was resized from " + width + "x" + height + " to " + w + "x" + h
                                + " to stay within " + maxPixels + " pixels");
            } finally {
                reader.dispose();
            }
        } catch (LoupeException e) {
            throw e;
        } catch (NoSuchFileException e) {
            throw new LoupeException(file + ": no such file");
        } catch (IOException | RuntimeException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new LoupeException(file + " is truncated or corrupt (" + why + ")", e);
        }
    }

    /** Pixels of an image as {@code [1,3,H,W]} RGB in [0,1]. */
    public static NDArray toTensor(BufferedImage image, NDManager manager) {
        int w = image.getWidth();
        int h = image.getHeight();
        int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
        float[] planes = new float[3 * w * h];
        int plane = w * h;
        for (int i = 0; i < plane; i++) {
            int p = argb[i];
            planes[i] = ((p >> 16) & 0xff) / 255f;
            planes[plane + i] = ((p >> 8) & 0xff) / 255f;
            planes[2 * plane + i] = (p & 0xff) / 255f;
        }
        return Tensors.of(manager, planes, new Shape(1, 3, h, w));
    }

    /** {@code [1,3,H,W]} or {@code [3,H,W]} RGB (values clipped to [0,1]) as an image. */
    public static BufferedImage toImage(NDArray rgb) {
        Shape s = rgb.getShape();
        boolean batched = s.dimension() == 4;
        if (!(s.dimension() == 3 || (batched && s.get(0) == 1)) || s.get(s.dimension() - 3) != 3) {
            throw new IllegalArgumentException("expected an RGB tensor [1,3,H,W] or [3,H,W], got " + s);
        }
        int h = (int) s.get(s.dimension() - 2);
        int w = (int) s.get(s.dimension() - 1);
        float[] v = rgb.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int plane = w * h;
        int[] px = new int[plane];
        for (int i = 0; i < plane; i++) {
            px[i] = (byte255(v[i]) << 16) | (byte255(v[plane + i]) << 8) | byte255(v[2 * plane + i]);
        }
        image.setRGB(0, 0, w, h, px, 0, w);
        return image;
    }

    /** Each image of an RGB batch {@code [B,3,H,W]} (values clipped to [0,1]) as bytes R, G, B pixel by pixel, row by row. */
    public static byte[][] interleavedRgb(NDArray rgb) {
        Shape s = rgb.getShape();
        if (s.dimension() != 4 || s.get(1) != 3) throw new IllegalArgumentException("expected an RGB batch [B,3,H,W], got " + s);
        int plane = (int) (s.get(2) * s.get(3));
        float[] v = rgb.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
        byte[][] out = new byte[(int) s.get(0)][3 * plane];
        for (int b = 0; b < out.length; b++) {
            int base = b * 3 * plane;
            for (int q = 0; q < plane; q++) {
                for (int c = 0; c < 3; c++) out[b][3 * q + c] = (byte) byte255(v[base + c * plane + q]);
            }
        }
        return out;
    }

    /**
     * The inverse of {@link #interleavedRgb}: one image's bytes R, G, B pixel by pixel into planes R, G, B of values in
     * [0,1], written to {@code into} from {@code offset}.
     */
    public static void planarRgb(byte[] rgb, float[] into, int offset) {
        int plane = rgb.length / 3;
        for (int q = 0; q < plane; q++) {
            into[offset + q] = (rgb[3 * q] & 0xff) / 255f;
            into[offset + plane + q] = (rgb[3 * q + 1] & 0xff) / 255f;
            into[offset + 2 * plane + q] = (rgb[3 * q + 2] & 0xff) / 255f;
        }
    }

    private static int byte255(float x) {
        if (!(x > 0)) return 0; // NaN too
        if (x >= 1) return 255;
        return Math.round(x * 255f);
    }

    /** Writes a PNG atomically. */
    public static void writePng(Path file, BufferedImage image) throws IOException {
        AtomicFiles.write(file, out -> {
            if (!ImageIO.write(image, "png", out)) throw new IOException("no PNG writer available");
        });
    }

    public static void writePng(Path file, NDArray rgb) throws IOException {
        writePng(file, toImage(rgb));
    }

    /** (x - mean) / std per channel for {@code [B,3,H,W]}; a new array. */
    public static NDArray normalize(NDArray rgb, float[] mean, float[] std) {
        NDManager m = rgb.getManager();
        try (NDManager scratch = m.newSubManager()) {
            NDArray mu = Tensors.of(scratch, mean, new Shape(1, mean.length, 1, 1));
            NDArray sigma = Tensors.of(scratch, std, new Shape(1, std.length, 1, 1));
            NDArray out = rgb.sub(mu).div(sigma);
            out.attach(m);
            return out;
        }
    }

    public static NDArray normalizeImageNet(NDArray rgb) {
        return normalize(rgb, IMAGENET_MEAN, IMAGENET_STD);
    }
}
