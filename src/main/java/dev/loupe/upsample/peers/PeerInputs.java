package dev.loupe.upsample.peers;

import ai.djl.ndarray.NDArray;
import dev.loupe.LoupeException;

/** The input checks every peer makes: an RGB image batch and features of the model's width, batches alike. */
final class PeerInputs {
    private PeerInputs() {}

    static void check(NDArray image, NDArray features, int channels, String model) {
        if (image.getShape().dimension() != 4 || image.getShape().get(1) != 3) {
            throw new LoupeException("the " + model + " upsampler expects an image [B,3,H,W], got " + image.getShape());
        }
        if (features.getShape().dimension() != 4 || features.getShape().get(1) != channels) {
            throw new LoupeException("this " + model + " upsampler takes features [B," + channels + ",h,w], got " + features.getShape());
        }
        if (image.getShape().get(0) != features.getShape().get(0)) {
            throw new LoupeException("the image batch " + image.getShape() + " and the feature batch " + features.getShape() + " differ");
        }
    }
}
