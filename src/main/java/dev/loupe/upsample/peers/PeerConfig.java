package dev.loupe.upsample.peers;

import com.google.gson.JsonObject;

/** The architecture of a trainable peer, as its model card and checkpoints record it. */
public interface PeerConfig {
    /** The upsampler kind it builds ({@code jbu}, {@code xattn}). */
    String kind();

    /** The patch size of the backbone the peer was built for. */
    int patch();

    JsonObject toJson();
}
