package dev.loupe.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * Small images laid out in labelled rows, each pixel drawn as a {@code scale} x {@code scale} block (nearest
 * neighbour, so 32 x 32 renders stay crisp when viewed): a label line above each row, then the row's images
 * side by side. For sample sheets of generative models (rows = prompts, columns = seeds).
 */
public final class ImageGrid {
    private static final int GAP = 4;
    private static final int PADDING = 6;
    private static final Color BACKGROUND = new Color(250, 250, 250);
    private static final Color TEXT = new Color(30, 30, 30);

    private ImageGrid() {}

    /** One image upscaled by {@code scale} with nearest neighbour. */
    public static BufferedImage upscale(BufferedImage image, int scale) {
        if (scale < 1) throw new IllegalArgumentException("scale must be at least 1, got " + scale);
        if (scale == 1) return image;
        BufferedImage out = new BufferedImage(image.getWidth() * scale, image.getHeight() * scale, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < out.getHeight(); y++) {
            for (int x = 0; x < out.getWidth(); x++) out.setRGB(x, y, image.getRGB(x / scale, y / scale));
        }
        return out;
    }

    /**
     * @param images {@code [rows x columns, 3, H, W]} RGB in [0, 1], row-major
     * @param labels one per row (empty strings for none)
     */
    public static BufferedImage of(NDArray images, List<String> labels, int columns, int scale) {
        Shape s = images.getShape();
        if (s.dimension() != 4 || s.get(1) != 3) throw new IllegalArgumentException("expected images [N, 3, H, W], got " + s);
        int n = (int) s.get(0);
        int rows = labels.size();
        if (columns < 1 || rows * columns != n) {
            throw new IllegalArgumentException(n + " images do not fill " + rows + " rows of " + columns);
        }
        int cell = (int) s.get(3) * scale;
        int cellHeight = (int) s.get(2) * scale;
        int width = 2 * PADDING + columns * cell + (columns - 1) * GAP;
        Font font = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
        BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D pg = probe.createGraphics();
        FontMetrics metrics = pg.getFontMetrics(font);
        pg.dispose();
        int lineHeight = metrics.getHeight();
        List<List<String>> lines = labels.stream().map(l -> wrap(l, metrics, width - 2 * PADDING)).toList();
        int height = 2 * PADDING - GAP;
        for (List<String> l : lines) height += l.size() * lineHeight + (l.isEmpty() ? 0 : 2) + cellHeight + GAP;
        BufferedImage sheet = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = sheet.createGraphics();
        try {
            g.setColor(BACKGROUND);
            g.fillRect(0, 0, sheet.getWidth(), sheet.getHeight());
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setFont(font);
            g.setColor(TEXT);
            int top = PADDING;
            for (int r = 0; r < rows; r++) {
                for (String line : lines.get(r)) {
                    g.drawString(line, PADDING, top + metrics.getAscent());
                    top += lineHeight;
                }
                if (!lines.get(r).isEmpty()) top += 2;
                for (int c = 0; c < columns; c++) {
                    BufferedImage tile = upscale(Images.toImage(images.get(r * columns + c)), scale);
                    g.drawImage(tile, PADDING + c * (cell + GAP), top, null);
                }
                top += cellHeight + GAP;
            }
        } finally {
            g.dispose();
        }
        return sheet;
    }

    /** The label in lines no wider than {@code width} (broken between words; no lines for an empty label). */
    static List<String> wrap(String label, FontMetrics metrics, int width) {
        List<String> out = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : label.strip().split("\\s+")) {
            if (word.isEmpty()) continue;
            String candidate = line.length() == 0 ? word : line + " " + word;
            if (line.length() > 0 && metrics.stringWidth(candidate) > width) {
                out.add(line.toString());
                line = new StringBuilder(word);
            } else {
                line = new StringBuilder(candidate);
            }
        }
        if (line.length() > 0) out.add(line.toString());
        return out;
    }
}
