package dev.loupe.world;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.IndexColorModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.IntUnaryOperator;
import javax.imageio.ImageIO;

/**
 * PNG files of a rendered scene: the RGB image, and the masks as 8-bit indexed-colour images whose pixel values
 * are the class or instance ids (what {@code Raster.getSample} or PIL's {@code np.array(Image.open(f))} return)
 * and whose palette ({@link Palette#classColour}, {@link Palette#instanceColour}) makes them visible in a viewer.
 */
public final class ScenePngs {
    private ScenePngs() {}

    public static byte[] image(RenderedScene scene) {
        int size = scene.size();
        BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_3BYTE_BGR);
        byte[] bgr = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
        byte[] rgb = scene.rgb();
        for (int i = 0; i < rgb.length; i += 3) {
            bgr[i] = rgb[i + 2];
            bgr[i + 1] = rgb[i + 1];
            bgr[i + 2] = rgb[i];
        }
        return encode(image);
    }

    public static byte[] classMask(RenderedScene scene) {
        return indexed(scene.size(), scene.classMask(), ShapeKind.CLASS_COUNT, Palette::classColour);
    }

    public static byte[] instanceMask(RenderedScene scene) {
        int entries = 1 + scene.spec().objects().size();
        return indexed(scene.size(), scene.instanceMask(), entries, Palette::instanceColour);
    }

    private static byte[] indexed(int size, byte[] indices, int entries, IntUnaryOperator colourOf) {
        byte[] r = new byte[entries];
        byte[] g = new byte[entries];
        byte[] b = new byte[entries];
        for (int i = 0; i < entries; i++) {
            int rgb = colourOf.applyAsInt(i);
            r[i] = (byte) (rgb >> 16);
            g[i] = (byte) (rgb >> 8);
            b[i] = (byte) rgb;
        }
        BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_BYTE_INDEXED,
                new IndexColorModel(8, entries, r, g, b));
        byte[] pixels = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
        System.arraycopy(indices, 0, pixels, 0, indices.length);
        return encode(image);
    }

    private static byte[] encode(BufferedImage image) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, "png", out)) throw new IllegalStateException("no PNG writer in this Java runtime");
        } catch (IOException e) {
            throw new UncheckedIOException(e); // writing to memory
        }
        return out.toByteArray();
    }
}
