package dev.loupe.app.features;

import dev.loupe.features.ColourMap;
import java.awt.image.BufferedImage;
import java.util.List;

/**
 * Cosine-similarity maps from one clicked pixel's feature, low-resolution (one pixel per token) and for each
 * upsampler (one pixel per input pixel), all coloured with {@link #COLOURS} over the one range {@code low..high}.
 *
 * @param x       the clicked pixel in the shown image's coordinates
 * @param y       its row
 * @param inputX  the same pixel in the backbone input's coordinates
 * @param inputY  its row
 * @param tokenX  the token that covers it
 * @param tokenY  its row
 * @param lowRes  similarity of every token to the token under the pixel
 * @param dense   per upsampler (in the snapshot's order): similarity of every pixel to the pixel's dense feature
 * @param low     the similarity at the bottom of the colour scale
 * @param high    at the top (1: the pixel itself)
 */
public record SimilarityMaps(int x, int y, int inputX, int inputY, int tokenX, int tokenY, BufferedImage lowRes, List<BufferedImage> dense,
                             double low, double high) {
    public static final ColourMap COLOURS = ColourMap.VIRIDIS;

    public SimilarityMaps {
        dense = List.copyOf(dense);
    }
}
