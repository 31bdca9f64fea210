package dev.loupe.features;

import java.awt.image.BufferedImage;

/**
 * Perceptually ordered colour maps for scalar maps (similarity): matplotlib's viridis and inferno, interpolated
 * linearly between eleven stops (0, 0.1, ..., 1).
 */
public enum ColourMap {
    VIRIDIS(0x440154, 0x482475, 0x414487, 0x355f8d, 0x2a788e, 0x21918c, 0x22a884, 0x44bf70, 0x7ad151, 0xbddf26, 0xfde725),
    INFERNO(0x000004, 0x160b39, 0x420a68, 0x6a176e, 0x932667, 0xbc3754, 0xdd513a, 0xf37819, 0xfca50a, 0xf6d746, 0xfcffa4);

    private final int[] stops;

    ColourMap(int... stops) {
        this.stops = stops;
    }

    /** The colour of {@code t} in [0,1] (clipped; NaN is the lowest colour) as 0xRRGGBB. */
    public int rgb(double t) {
        if (!(t > 0)) return stops[0];
        if (t >= 1) return stops[stops.length - 1];
        double x = t * (stops.length - 1);
        int i = (int) x;
        double f = x - i;
        int a = stops[i];
        int b = stops[i + 1];
        int r = mix(a >> 16, b >> 16, f);
        int g = mix(a >> 8, b >> 8, f);
        int bl = mix(a, b, f);
        return (r << 16) | (g << 8) | bl;
    }

    private static int mix(int a, int b, double f) {
        return (int) Math.round((a & 0xff) * (1 - f) + (b & 0xff) * f);
    }

    /** Row-major values of a {@code width x height} map, with {@code low} and {@code high} mapped to the ends. */
    public BufferedImage render(float[] values, int width, int height, double low, double high) {
        if (values.length != width * height) {
            throw new IllegalArgumentException(values.length + " values for a " + width + "x" + height + " map");
        }
        if (!(high > low)) throw new IllegalArgumentException("colour range must be increasing, got " + low + ".." + high);
        int[] rgb = new int[values.length];
        for (int i = 0; i < values.length; i++) rgb[i] = rgb((values[i] - low) / (high - low));
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        image.setRGB(0, 0, width, height, rgb, 0, width);
        return image;
    }
}
