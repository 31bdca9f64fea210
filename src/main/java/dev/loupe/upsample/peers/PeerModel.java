package dev.loupe.upsample.peers;

import ai.djl.ndarray.NDArray;
import dev.loupe.upsample.TrainableUpsampler;

/** A trainable peer with its own inference form (memory-lean, eval mode): the joint bilateral and cross-attention models. */
public interface PeerModel extends TrainableUpsampler {
    /** features {@code [B,C,h,w]} to {@code [B,C,outH,outW]} guided by the RGB image {@code [B,3,H,W]}; result in the features' manager. */
    NDArray upsample(NDArray image, NDArray features, int outH, int outW);
}
