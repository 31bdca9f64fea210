package dev.loupe.eval.reward;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Random;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Damage that makes a clean ShapesWorld render look like the output of a small text-to-image model: lost
 * resolution (down- then up-scaled), blur, small colour and brightness shifts, blotchy low-frequency colour noise,
 * pixel noise and JPEG softness, each at a random strength. The reward model trains on such images so that it
 * judges generated ones by what they show, not by how crisp they are.
 *
 * <p>Images are planar RGB {@code [3, S, S]} in [0, 1] in a float array, degraded in place; the result is clipped to
 * [0, 1]. Each step is taken with probability {@code stepProbability}; a share {@code cleanShare} of images is left
 * untouched.
 *
 * @param cleanShare       share of images left clean
 * @param stepProbability  chance that each step is applied to a degraded image
 * @param minScale         smallest side, as a fraction of S, that an image is shrunk to (up to {@code maxScale}); the
 *                         shapes of ShapesWorld's smallest objects (10 px at 32) stay legible down to about 0.6
 * @param maxBlurSigma     Gaussian blur sigma in pixels, drawn from [0.3, max]
 * @param jitter           brightness, contrast and saturation factors in [1 - jitter, 1 + jitter]; per-channel gains half that
 * @param maxBlotch        amplitude of smooth colour noise on a 4x4 grid
 * @param maxNoise         standard deviation of per-pixel Gaussian noise, drawn from [0.01, max]
 * @param minJpegQuality   JPEG quality drawn from [min, max] (percent)
 */
public record Degrade(double cleanShare, double stepProbability, double minScale, double maxScale, double maxBlurSigma,
                      double jitter, double maxBlotch, double maxNoise, int minJpegQuality, int maxJpegQuality) {

    /** What the reward model trains on: a fifth of the images clean, the rest with some of the steps. */
    public static final Degrade TRAINING = new Degrade(0.2, 0.5, 0.6, 0.9, 1.0, 0.1, 0.05, 0.06, 30, 90);
    /** The held-out "degraded" condition: every step on every image, at training strengths. */
    public static final Degrade HELD_OUT = new Degrade(0.0, 1.0, 0.6, 0.9, 1.0, 0.1, 0.05, 0.06, 30, 90);

    private static final double MIN_BLUR_SIGMA = 0.3;
    private static final double MIN_NOISE = 0.01;
    private static final int BLOTCH_GRID = 4;

    /**
     * The same damage given to a share {@code strength} (0 to 1) of the images it would otherwise hit: a
     * curriculum that starts training on clean scenes, so that shapes are learnt before they are blurred.
     */
    public Degrade ramped(double strength) {
        double t = Math.max(0, Math.min(1, strength));
        return new Degrade(1 - t * (1 - cleanShare), stepProbability, minScale, maxScale, maxBlurSigma, jitter, maxBlotch,
                maxNoise, minJpegQuality, maxJpegQuality);
    }

    /** Degrades one image in place. */
    public void apply(float[] image, int size, Random random) {
        if (image.length != 3 * size * size) {
            throw new IllegalArgumentException("expected 3 x " + size + " x " + size + " values, got " + image.length);
        }
        if (random.nextDouble() < cleanShare) return;
        if (random.nextDouble() < stepProbability) {
            int small = (int) Math.round(size * uniform(random, minScale, maxScale));
            if (small < size) downUp(image, size, Math.max(2, small));
        }
        if (random.nextDouble() < stepProbability) blur(image, size, uniform(random, MIN_BLUR_SIGMA, maxBlurSigma));
        if (random.nextDouble() < stepProbability) jitter(image, size, random);
        if (random.nextDouble() < stepProbability) blotches(image, size, uniform(random, 0, maxBlotch), random);
        if (random.nextDouble() < stepProbability) noise(image, uniform(random, MIN_NOISE, maxNoise), random);
        clip(image);
        if (random.nextDouble() < stepProbability) {
            jpeg(image, size, minJpegQuality + random.nextInt(maxJpegQuality - minJpegQuality + 1));
        }
    }

    private static double uniform(Random random, double lo, double hi) {
        return lo + (hi - lo) * random.nextDouble();
    }

    /** Shrinks to {@code small} x {@code small} (antialiased triangle filter) and grows back (bilinear). */
    static void downUp(float[] image, int size, int small) {
        float[] shrunk = resample(image, size, small);
        float[] back = resample(shrunk, small, size);
        System.arraycopy(back, 0, image, 0, image.length);
    }

    /**
     * Separable resize of a planar {@code [3, in, in]} image to {@code [3, out, out]} with a triangle filter
     * stretched over the covered source pixels when shrinking (PIL's bilinear), plain bilinear when growing.
     */
    static float[] resample(float[] image, int in, int out) {
        return separable(image, in, Taps.triangle(in, out));
    }

    /** Gaussian blur with replicated borders. */
    static void blur(float[] image, int size, double sigma) {
        float[] blurred = separable(image, size, Taps.gaussian(size, sigma));
        System.arraycopy(blurred, 0, image, 0, image.length);
    }

    /** For every output position along one axis: the first source position and the weights from there on. */
    private record Taps(int in, int out, int[] first, float[][] weights) {
        static Taps triangle(int in, int out) {
            double scale = (double) in / out;
            double support = Math.max(1.0, scale);
            int[] first = new int[out];
            float[][] weights = new float[out][];
            for (int o = 0; o < out; o++) {
                double centre = scale * (o + 0.5);
                int lo = Math.max((int) Math.floor(centre - support + 0.5), 0);
                int hi = Math.min((int) Math.floor(centre + support + 0.5), in);
                double[] w = new double[Math.max(0, hi - lo)];
                double total = 0;
                for (int j = 0; j < w.length; j++) total += w[j] = Math.max(0, 1 - Math.abs((lo + j + 0.5 - centre) / support));
                first[o] = lo;
                weights[o] = new float[w.length];
                for (int j = 0; j < w.length; j++) weights[o][j] = total > 0 ? (float) (w[j] / total) : 0f;
            }
            return new Taps(in, out, first, weights);
        }

        static Taps gaussian(int size, double sigma) {
            int radius = Math.max(1, (int) Math.ceil(3 * sigma));
            float[] kernel = new float[2 * radius + 1];
            double total = 0;
            for (int i = -radius; i <= radius; i++) total += kernel[i + radius] = (float) Math.exp(-0.5 * i * i / (sigma * sigma));
            for (int i = 0; i < kernel.length; i++) kernel[i] /= (float) total;
            int[] first = new int[size];
            float[][] weights = new float[size][];
            for (int o = 0; o < size; o++) {
                first[o] = o - radius;
                weights[o] = kernel;
            }
            return new Taps(size, size, first, weights);
        }

        /** Source position {@code first[o] + j}, borders replicated. */
        int source(int o, int j) {
            return Math.min(in - 1, Math.max(0, first[o] + j));
        }
    }

    /** Applies {@code taps} along x, then along y, to a planar square image of side {@code taps.in}. */
    private static float[] separable(float[] image, int in, Taps taps) {
        int out = taps.out();
        float[] columns = new float[3 * in * out]; // [3, in, out]
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < in; y++) {
                int row = (c * in + y) * in;
                for (int o = 0; o < out; o++) {
                    float sum = 0;
                    float[] w = taps.weights()[o];
                    for (int j = 0; j < w.length; j++) sum += w[j] * image[row + taps.source(o, j)];
                    columns[(c * in + y) * out + o] = sum;
                }
            }
        }
        float[] result = new float[3 * out * out]; // [3, out, out]
        for (int c = 0; c < 3; c++) {
            for (int o = 0; o < out; o++) {
                float[] w = taps.weights()[o];
                for (int x = 0; x < out; x++) {
                    float sum = 0;
                    for (int j = 0; j < w.length; j++) sum += w[j] * columns[(c * in + taps.source(o, j)) * out + x];
                    result[(c * out + o) * out + x] = sum;
                }
            }
        }
        return result;
    }

    /** Brightness, contrast (about the image mean), saturation (about the pixel's grey) and per-channel gains. */
    private void jitter(float[] image, int size, Random random) {
        int plane = size * size;
        float brightness = (float) uniform(random, 1 - jitter, 1 + jitter);
        float contrast = (float) uniform(random, 1 - jitter, 1 + jitter);
        float saturation = (float) uniform(random, 1 - jitter, 1 + jitter);
        float[] gain = new float[3];
        for (int c = 0; c < 3; c++) gain[c] = (float) uniform(random, 1 - jitter / 2, 1 + jitter / 2);
        double mean = 0;
        for (float v : image) mean += v;
        float m = (float) (mean / image.length);
        for (int p = 0; p < plane; p++) {
            float grey = 0.299f * image[p] + 0.587f * image[plane + p] + 0.114f * image[2 * plane + p];
            for (int c = 0; c < 3; c++) {
                float v = image[c * plane + p];
                v = grey + saturation * (v - grey);
                v = m + contrast * (v - m);
                image[c * plane + p] = v * brightness * gain[c];
            }
        }
    }

    /** Smooth colour noise: a random 4x4 grid per channel, grown bilinearly to the image. */
    static void blotches(float[] image, int size, double amplitude, Random random) {
        float[] grid = new float[3 * BLOTCH_GRID * BLOTCH_GRID];
        for (int i = 0; i < grid.length; i++) grid[i] = (float) (amplitude * random.nextGaussian());
        float[] field = resample(grid, BLOTCH_GRID, size);
        for (int i = 0; i < image.length; i++) image[i] += field[i];
    }

    static void noise(float[] image, double sigma, Random random) {
        for (int i = 0; i < image.length; i++) image[i] += (float) (sigma * random.nextGaussian());
    }

    static void clip(float[] image) {
        for (int i = 0; i < image.length; i++) image[i] = Math.min(1f, Math.max(0f, image[i]));
    }

    /** A round trip through JPEG at {@code quality} percent (Java's encoder: YCbCr, chroma halved). */
    static void jpeg(float[] image, int size, int quality) {
        int plane = size * size;
        BufferedImage rgb = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        for (int p = 0; p < plane; p++) {
            rgb.setRGB(p % size, p / size, byte255(image[p]) << 16 | byte255(image[plane + p]) << 8 | byte255(image[2 * plane + p]));
        }
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(quality / 100f);
            writer.setOutput(out);
            writer.write(null, new IIOImage(rgb, null, null), param);
        } catch (IOException e) {
            throw new UncheckedIOException("JPEG round trip failed in memory", e);
        } finally {
            writer.dispose();
        }
        BufferedImage decoded;
        try {
            decoded = ImageIO.read(new ByteArrayInputStream(bytes.toByteArray()));
        } catch (IOException e) {
            throw new UncheckedIOException("JPEG round trip failed in memory", e);
        }
        for (int p = 0; p < plane; p++) {
            int px = decoded.getRGB(p % size, p / size);
            image[p] = ((px >> 16) & 0xff) / 255f;
            image[plane + p] = ((px >> 8) & 0xff) / 255f;
            image[2 * plane + p] = (px & 0xff) / 255f;
        }
    }

    private static int byte255(float v) {
        return Math.round(Math.min(1f, Math.max(0f, v)) * 255f);
    }
}
