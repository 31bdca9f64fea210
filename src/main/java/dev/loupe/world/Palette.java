package dev.loupe.world;

/**
 * Colour decisions of the world: the second tone of gradient and striped backgrounds, the contrast rule that
 * keeps every object visible against its background and its neighbours, and the colours that make mask indices
 * visible in PNG files. Colours are 0xRRGGBB ints.
 */
public final class Palette {
    /**
     * Smallest CIELAB distance (CIE76) an object keeps from every tone of its background: about twice what reads
     * as "clearly different" at a glance (rules out red on a red background, but also purple on blue).
     */
    public static final double MIN_BACKGROUND_CONTRAST = 45;
    /**
     * Smallest distance between the colours of two objects that touch: below the closest pair of object colours
     * (blue and purple, 40), so only equal colours are ruled out.
     */
    public static final double MIN_OBJECT_CONTRAST = 35;

    /** Background (index 0) then one colour per shape class, for class masks. */
    private static final int[] CLASS_COLOURS = {
        0x000000, 0xe6194b, 0x3cb44b, 0xffe119, 0x4363d8, 0xf58231, 0x911eb4, 0x42d4f4, 0xf032e6,
    };
    /** Background (index 0) then instances 1, 2, ... (cycled past the end), for instance masks. */
    private static final int[] INSTANCE_COLOURS = {
        0x000000, 0xff4040, 0x40c040, 0x4080ff, 0xffd020, 0xc040ff, 0x40e0e0, 0xff8020, 0xffffff,
    };

    private Palette() {}

    /** The tone a gradient runs to, or the second colour of stripes: the colour moved toward white, or toward
     * black for the light colours (white, yellow) that cannot get lighter. Plain backgrounds have one tone. */
    public static int secondTone(Background background) {
        NamedColour c = background.colour();
        double amount = switch (background.kind()) {
            case PLAIN -> 0;
            case GRADIENT -> 0.4;
            case STRIPED -> 0.3;
        };
        int target = luminance(c.rgb()) > 0.7 ? 0x000000 : 0xffffff;
        return mix(c.rgb(), target, amount);
    }

    /** Whether {@code colour} stands out from every tone of {@code background}. */
    public static boolean standsOut(NamedColour colour, Background background) {
        int first = background.colour().rgb();
        int second = secondTone(background);
        return deltaE(colour.rgb(), first) >= MIN_BACKGROUND_CONTRAST
                && deltaE(colour.rgb(), second) >= MIN_BACKGROUND_CONTRAST
                && deltaE(colour.rgb(), mix(first, second, 0.5)) >= MIN_BACKGROUND_CONTRAST;
    }

    /** Whether two objects of these colours can overlap and still be told apart. */
    public static boolean distinct(NamedColour a, NamedColour b) {
        return deltaE(a.rgb(), b.rgb()) >= MIN_OBJECT_CONTRAST;
    }

    /** CIE76 colour difference of two sRGB colours (D65). */
    public static double deltaE(int rgbA, int rgbB) {
        double[] a = lab(rgbA);
        double[] b = lab(rgbB);
        double dl = a[0] - b[0];
        double da = a[1] - b[1];
        double db = a[2] - b[2];
        return Math.sqrt(dl * dl + da * da + db * db);
    }

    /** Colour shown for class id {@code classId} in class-mask PNGs. */
    public static int classColour(int classId) {
        return CLASS_COLOURS[classId];
    }

    /** Colour shown for instance {@code instance} in instance-mask PNGs (0 = background). */
    public static int instanceColour(int instance) {
        return instance == 0 ? INSTANCE_COLOURS[0] : INSTANCE_COLOURS[1 + (instance - 1) % (INSTANCE_COLOURS.length - 1)];
    }

    static int mix(int rgbA, int rgbB, double t) {
        int r = mixChannel(rgbA >> 16 & 0xff, rgbB >> 16 & 0xff, t);
        int g = mixChannel(rgbA >> 8 & 0xff, rgbB >> 8 & 0xff, t);
        int b = mixChannel(rgbA & 0xff, rgbB & 0xff, t);
        return r << 16 | g << 8 | b;
    }

    private static int mixChannel(int a, int b, double t) {
        return (int) Math.round(a + (b - a) * t);
    }

    /** Relative luminance of the sRGB values taken as linear, in [0, 1]; enough to tell light colours from dark. */
    private static double luminance(int rgb) {
        return (0.2126 * (rgb >> 16 & 0xff) + 0.7152 * (rgb >> 8 & 0xff) + 0.0722 * (rgb & 0xff)) / 255;
    }

    // StrictMath throughout: the contrast rule decides which scenes exist, so it must not vary between JVMs.
    private static double[] lab(int rgb) {
        double r = linear(rgb >> 16 & 0xff);
        double g = linear(rgb >> 8 & 0xff);
        double b = linear(rgb & 0xff);
        double x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
        double y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
        double z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
        double fx = labF(x);
        double fy = labF(y);
        double fz = labF(z);
        return new double[] {116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)};
    }

    private static double linear(int channel) {
        double v = channel / 255.0;
        return v <= 0.04045 ? v / 12.92 : StrictMath.pow((v + 0.055) / 1.055, 2.4);
    }

    private static double labF(double t) {
        return t > 216.0 / 24389 ? StrictMath.cbrt(t) : (24389.0 / 27 * t + 16) / 116;
    }
}
