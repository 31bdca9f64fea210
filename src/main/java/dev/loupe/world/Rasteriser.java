package dev.loupe.world;

import java.util.List;

/**
 * Draws a {@link SceneSpec} at any size: background first, then the objects in order, each over the ones before.
 *
 * <p>Every pixel is judged at its centre: it belongs to the top object whose signed distance there is negative,
 * which gives the class and instance masks. The RGB image blends each object in with the coverage
 * {@code clamp(0.5 - distance in pixels, 0, 1)}, an analytic box-filter estimate that smooths edges and
 * exceeds one half exactly where the centre test says inside, so masks and image agree on every pixel's owner.
 */
public final class Rasteriser {
    public static final int MIN_SIZE = 32;
    public static final int MAX_SIZE = 1024;
    /** Instance ids are stored in one byte. */
    public static final int MAX_OBJECTS = 255;

    private Rasteriser() {}

    /** Renders image and masks at {@code size} x {@code size} pixels, {@value #MIN_SIZE} to {@value #MAX_SIZE}. */
    public static RenderedScene render(SceneSpec spec, int size) {
        if (size < MIN_SIZE || size > MAX_SIZE) {
            throw new IllegalArgumentException("size must be between " + MIN_SIZE + " and " + MAX_SIZE + ", got " + size);
        }
        return rasterise(spec, size, true);
    }

    /** Masks and pixel counts only (the RGB array is null): what the scene sampler needs to judge visibility. */
    static RenderedScene masks(SceneSpec spec, int size) {
        return rasterise(spec, size, false);
    }

    private static RenderedScene rasterise(SceneSpec spec, int size, boolean withColour) {
        List<SceneObject> objects = spec.objects();
        int n = objects.size();
        if (n > MAX_OBJECTS) throw new IllegalArgumentException("at most " + MAX_OBJECTS + " objects, got " + n);
        ShapeGeometry.Placed[] placed = new ShapeGeometry.Placed[n];
        int[] left = new int[n];
        int[] right = new int[n];
        int[] top = new int[n];
        int[] bottom = new int[n];
        double[] red = new double[n];
        double[] green = new double[n];
        double[] blue = new double[n];
        byte[] classOf = new byte[n];
        for (int i = 0; i < n; i++) {
            SceneObject o = objects.get(i);
            placed[i] = new ShapeGeometry.Placed(o);
            // Pixels whose centre lies more than half a pixel outside the bounding circle get no coverage.
            double r = placed[i].radius();
            left[i] = Math.max(0, (int) Math.floor((o.x() - r) * size) - 1);
            right[i] = Math.min(size - 1, (int) Math.ceil((o.x() + r) * size) + 1);
            top[i] = Math.max(0, (int) Math.floor((o.y() - r) * size) - 1);
            bottom[i] = Math.min(size - 1, (int) Math.ceil((o.y() + r) * size) + 1);
            red[i] = o.colour().red();
            green[i] = o.colour().green();
            blue[i] = o.colour().blue();
            classOf[i] = (byte) o.shape().classId();
        }
        BackgroundPainter background = new BackgroundPainter(spec.background(), size);
        byte[] rgb = withColour ? new byte[3 * size * size] : null;
        byte[] classMask = new byte[size * size];
        byte[] instanceMask = new byte[size * size];
        int[] objectPixels = new int[n];
        int[] visiblePixels = new int[n];
        double[] colour = new double[3];
        for (int y = 0; y < size; y++) {
            double cy = (y + 0.5) / size;
            for (int x = 0; x < size; x++) {
                double cx = (x + 0.5) / size;
                if (withColour) background.paint(cx, cy, colour);
                int owner = -1;
                for (int i = 0; i < n; i++) {
                    if (x < left[i] || x > right[i] || y < top[i] || y > bottom[i]) continue;
                    double distance = placed[i].signedDistance(cx, cy) * size; // in pixels
                    if (distance >= 0.5) continue;
                    if (distance < 0) {
                        owner = i;
                        objectPixels[i]++;
                    }
                    if (withColour) {
                        double coverage = Math.min(1, 0.5 - distance);
                        colour[0] += (red[i] - colour[0]) * coverage;
                        colour[1] += (green[i] - colour[1]) * coverage;
                        colour[2] += (blue[i] - colour[2]) * coverage;
                    }
                }
                int p = y * size + x;
                if (owner >= 0) {
                    visiblePixels[owner]++;
                    classMask[p] = classOf[owner];
                    instanceMask[p] = (byte) (owner + 1);
                }
                if (withColour) {
                    rgb[3 * p] = (byte) (int) (colour[0] + 0.5);
                    rgb[3 * p + 1] = (byte) (int) (colour[1] + 0.5);
                    rgb[3 * p + 2] = (byte) (int) (colour[2] + 0.5);
                }
            }
        }
        return new RenderedScene(spec, size, rgb, classMask, instanceMask, objectPixels, visiblePixels);
    }

    /** The colour of the background at a point, with antialiased stripe edges. */
    private static final class BackgroundPainter {
        private final BackgroundKind kind;
        private final double[] first;
        private final double[] second;
        private final double dirX;
        private final double dirY;
        private final double period;
        private final int size;

        BackgroundPainter(Background background, int size) {
            this.kind = background.kind();
            this.first = channels(background.colour().rgb());
            this.second = channels(Palette.secondTone(background));
            double radians = StrictMath.toRadians(background.angleDegrees());
            double dx = StrictMath.cos(radians);
            double dy = StrictMath.sin(radians);
            // A gradient runs from one corner's projection to the opposite one: scale so t spans [0, 1].
            double span = kind == BackgroundKind.GRADIENT ? Math.abs(dx) + Math.abs(dy) : 1;
            this.dirX = dx / span;
            this.dirY = dy / span;
            this.period = background.period();
            this.size = size;
        }

        void paint(double x, double y, double[] out) {
            double t = switch (kind) {
                case PLAIN -> 0;
                case GRADIENT -> Math.min(1, Math.max(0, (x - 0.5) * dirX + (y - 0.5) * dirY + 0.5));
                case STRIPED -> {
                    double phase = (x * dirX + y * dirY) / period;
                    double f = phase - Math.floor(phase);
                    // Signed distance (in pixels) to the edge of the second-tone stripe, which spans f in (1/4, 3/4).
                    double distance = (Math.abs(f - 0.5) - 0.25) * period * size;
                    yield Math.min(1, Math.max(0, 0.5 - distance));
                }
            };
            out[0] = first[0] + (second[0] - first[0]) * t;
            out[1] = first[1] + (second[1] - first[1]) * t;
            out[2] = first[2] + (second[2] - first[2]) * t;
        }

        private static double[] channels(int rgb) {
            return new double[] {rgb >> 16 & 0xff, rgb >> 8 & 0xff, rgb & 0xff};
        }
    }
}
