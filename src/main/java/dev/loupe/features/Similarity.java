package dev.loupe.features;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.awt.image.BufferedImage;

/**
 * Cosine similarity between one location's feature and every location of a feature map: where else in the image
 * the backbone sees "the same thing". For a low-resolution map the chosen pixel selects the token that covers it;
 * either map is rendered at pixel density (tokens as blocks) with a {@link ColourMap}.
 */
public final class Similarity {
    private Similarity() {}

    /** A scalar map in feature-grid resolution, row-major. */
    public record Scores(float[] values, int width, int height) {
        /** The map at {@code imageWidth x imageHeight} (nearest neighbour) in {@code colours}, {@code low..high} spanning the map. */
        public BufferedImage render(ColourMap colours, double low, double high, int imageWidth, int imageHeight) {
            BufferedImage small = colours.render(values, width, height, low, high);
            return small.getWidth() == imageWidth && small.getHeight() == imageHeight ? small : Overlay.nearest(small, imageWidth, imageHeight);
        }

        public float at(int x, int y) {
            return values[y * width + x];
        }
    }

    /**
     * The grid cell of {@code features} ({@code [1,C,h,w]} or {@code [C,h,w]}) that covers pixel (x, y) of an
     * {@code imageWidth x imageHeight} image: {@code (floor(x * w / W), floor(y * h / H))}.
     */
    public static int[] cell(NDArray features, int x, int y, int imageWidth, int imageHeight) {
        Shape s = features.getShape();
        int h = (int) s.get(s.dimension() - 2);
        int w = (int) s.get(s.dimension() - 1);
        if (x < 0 || y < 0 || x >= imageWidth || y >= imageHeight) {
            throw new IllegalArgumentException("pixel (" + x + ", " + y + ") is outside the " + imageWidth + "x" + imageHeight + " image");
        }
        return new int[] {(int) ((long) x * w / imageWidth), (int) ((long) y * h / imageHeight)};
    }

    /** The feature vector at grid cell (x, y): {@code [C]}. */
    public static float[] featureAt(NDArray features, int x, int y) {
        Shape s = features.getShape();
        NDArray map = s.dimension() == 4 ? features.get(0) : features;
        try (NDArray v = map.get(new NDIndex(":, {}, {}", y, x))) {
            return v.toType(DataType.FLOAT32, false).toFloatArray();
        } finally {
            if (map != features) map.close();
        }
    }

    /** Cosine similarity of {@code query} ({@code [C]}) with every cell of {@code features}. */
    public static Scores cosine(NDArray features, float[] query) {
        Shape s = features.getShape();
        int c = (int) s.get(s.dimension() - 3);
        int h = (int) s.get(s.dimension() - 2);
        int w = (int) s.get(s.dimension() - 1);
        if (query.length != c) throw new IllegalArgumentException("query has " + query.length + " channels, the features " + c);
        try (NDManager scope = features.getManager().newSubManager()) {
            NDArray tokens = Pca.tokens(features, scope); // [HW, C]
            NDArray q = scope.create(query, new Shape(c, 1));
            NDArray dots = tokens.matMul(q).reshape(-1); // [HW]
            NDArray norms = tokens.norm(new int[] {1}).mul(q.norm()).maximum(1e-12f);
            return new Scores(dots.div(norms).toFloatArray(), w, h);
        }
    }

    /**
     * The similarity map of the feature under pixel (x, y) of an {@code imageWidth x imageHeight} image to every cell of
     * the same map.
     */
    public static Scores fromPixel(NDArray features, int x, int y, int imageWidth, int imageHeight) {
        int[] cell = cell(features, x, y, imageWidth, imageHeight);
        return cosine(features, featureAt(features, cell[0], cell[1]));
    }
}
