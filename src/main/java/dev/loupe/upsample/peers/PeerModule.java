package dev.loupe.upsample.peers;

import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import dev.loupe.tensor.Module;

/** A peer whose weights are its own module and whose architecture is one {@link PeerConfig}. */
abstract class PeerModule<C extends PeerConfig> extends Module implements PeerModel {
    protected final C config;

    PeerModule(NDManager manager, C config) {
        super(manager);
        this.config = config;
    }

    public C config() {
        return config;
    }

    @Override
    public Module module() {
        return this;
    }

    @Override
    public int patch() {
        return config.patch();
    }

    @Override
    public JsonObject describe() {
        JsonObject o = new JsonObject();
        o.addProperty("kind", config.kind());
        o.add("config", config.toJson());
        return o;
    }
}
