package dev.loupe.app.features;

import ai.djl.ndarray.NDManager;
import dev.loupe.tensor.Images;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Locale;

/**
 * An image the user opened, decoded once: what the workspace shows and what every feature computation starts from.
 * Lives on the Java heap only (no native memory), so it can be passed between tasks and dropped freely.
 *
 * @param name           what the user calls it (the file name, or the bundled sample's name)
 * @param file           where it was read from
 * @param image          the decoded pixels (shrunk to {@code maxPixels} when the file has more)
 * @param originalWidth  the file's width before any shrinking
 * @param originalHeight the file's height before any shrinking
 * @param maxPixels      the pixel limit it was decoded with
 * @param decodeMillis   wall time of decoding
 */
public record FeatureSource(String name, Path file, BufferedImage image, int originalWidth, int originalHeight, long maxPixels,
                            double decodeMillis) {
    /** Decodes {@code file}; an image with more than {@code maxPixels} pixels is shrunk to fit while decoding. */
    public static FeatureSource decode(Path file, String name, long maxPixels) {
        long t = System.nanoTime();
        try (NDManager manager = NDManager.newBaseManager()) {
            Images.Decoded decoded = Images.read(file, manager, maxPixels, Images.TooLarge.RESIZE_TO_LIMIT);
            BufferedImage image = Images.toImage(decoded.image());
            return new FeatureSource(name, file, image, decoded.originalWidth(), decoded.originalHeight(), maxPixels,
                    (System.nanoTime() - t) / 1e6);
        }
    }

    public int width() {
        return image.getWidth();
    }

    public int height() {
        return image.getHeight();
    }

    /** Whether the file had more pixels than the limit and was shrunk. */
    public boolean resized() {
        return width() != originalWidth || height() != originalHeight;
    }

    /** What the user should know about the decoding, or "" when the image is shown as it is. */
    public String notice() {
        if (!resized()) return "";
        return String.format(Locale.ROOT, "%s is %d × %d px (%s), more than the pixel limit of %s: it was resized to %d × %d px.",
                name, originalWidth, originalHeight, megapixels((long) originalWidth * originalHeight), megapixels(maxPixels), width(), height());
    }

    /** "16 MP", "0.5 MP", "400 MP". */
    public static String megapixels(long pixels) {
        double mp = pixels / (double) (1L << 20);
        if (mp >= 10 || mp == Math.rint(mp)) return String.format(Locale.ROOT, "%.0f MP", mp);
        return String.format(Locale.ROOT, "%.1f MP", mp);
    }
}
