package dev.loupe.eval;

import ai.djl.ndarray.NDArray;
import dev.loupe.LoupeException;
import dev.loupe.backbone.Backbone;
import dev.loupe.tensor.Resize;
import dev.loupe.upsample.Upsampler;

/**
 * Not an upsampler but the reference the reconstruction objective (UPLiFT's, and the peers' here) points at: the
 * backbone's own features of the image enlarged {@code zoom} times, resized bilinearly to the output grid. The bench
 * scores it like the upsamplers, so a table shows whether the backbone's higher-resolution features are themselves
 * easy to read, that is whether imitating them can help a dense probe.
 */
final class EnlargedImageFeatures implements Upsampler {
    private final Backbone backbone;
    private final int zoom;

    /** {@code backbone} stays its caller's to close. */
    EnlargedImageFeatures(Backbone backbone, int zoom) {
        this.backbone = backbone;
        this.zoom = requireZoom(zoom);
    }

    /** {@code zoom}, if it enlarges the image (2 or more). */
    static int requireZoom(int zoom) {
        if (zoom < 2) throw new LoupeException("backbone zooms must be 2 or more, got " + zoom);
        return zoom;
    }

    static String name(int zoom) {
        return "backbone at " + zoom + "x";
    }

    @Override
    public String name() {
        return name(zoom);
    }

    @Override
    public NDArray upsample(NDArray image, NDArray features, int outH, int outW) {
        int h = (int) image.getShape().get(2);
        int w = (int) image.getShape().get(3);
        try (NDArray enlarged = Resize.bilinear(image, zoom * h, zoom * w, false); NDArray own = backbone.extract(enlarged)) {
            NDArray dense = Resize.bilinear(own, outH, outW, false);
            dense.attach(features.getManager());
            return dense;
        }
    }

    @Override
    public long parameterCount() {
        return 0;
    }
}
