package dev.loupe.upsample.peers;

import dev.loupe.upsample.uplift.UpliftConfig;

/**
 * The LiFT-style peer (Suri et al., ECCV 2024, as UPLiFT's paper compares it): UPLiFT's own encoder and iterated 2x
 * decoder, but the decoder's last block ends in a plain 1x1 convolution to the feature width instead of the Local
 * Attender. The output is then whatever the convolutions predict, not a convex mix of the input features, which is
 * the "semantic drift" UPLiFT's attender is meant to prevent when steps are chained. Built from an UPLiFT
 * configuration, so the two differ in that one part only; it runs as an {@code Uplift} model with {@code attender: -1}.
 */
public final class LiftStyle {
    private LiftStyle() {}

    /** {@code uplift} without its attender: {@code attender -1} and a non-residual 1x1 output convolution. */
    public static UpliftConfig config(UpliftConfig uplift) {
        UpliftConfig.Architecture a = uplift.uplift();
        UpliftConfig.Decoder d = a.decoder();
        UpliftConfig.Decoder decoder = new UpliftConfig.Decoder(d.upSteps(), d.ncatC(), d.ncatS(), d.encResample(), d.blocks(), d.ups(), false);
        UpliftConfig.Architecture arch = new UpliftConfig.Architecture(a.upFactor(), -1, a.encShare(), a.noUep(), a.encoder(), decoder, a.refiner());
        return new UpliftConfig("LiFT-style: " + uplift.description() + ", Local Attender replaced by a 1x1 convolution",
                uplift.backbone(), arch, uplift.train());
    }
}
