package dev.loupe.world;

/**
 * A scene rendered at {@code size} x {@code size} pixels. Arrays are row-major and shared, not copied: treat them
 * as read-only.
 *
 * @param rgb           3 bytes per pixel (R, G, B), unsigned
 * @param classMask     one byte per pixel: 0 background, else the {@link ShapeKind#classId()} of the top object
 * @param instanceMask  one byte per pixel: 0 background, else 1 + the index of the top object in {@code spec.objects()}
 * @param objectPixels  per object, the pixels whose centre lies inside it (as if nothing covered it)
 * @param visiblePixels per object, the pixels where it is the top object
 */
public record RenderedScene(SceneSpec spec, int size, byte[] rgb, byte[] classMask, byte[] instanceMask,
                            int[] objectPixels, int[] visiblePixels) {

    /** 0xRRGGBB of pixel (x, y). */
    public int rgbAt(int x, int y) {
        int i = 3 * (y * size + x);
        return (rgb[i] & 0xff) << 16 | (rgb[i + 1] & 0xff) << 8 | (rgb[i + 2] & 0xff);
    }

    public int classAt(int x, int y) {
        return classMask[y * size + x] & 0xff;
    }

    public int instanceAt(int x, int y) {
        return instanceMask[y * size + x] & 0xff;
    }

    /** The caption of the scene. */
    public String caption() {
        return spec.caption();
    }
}
