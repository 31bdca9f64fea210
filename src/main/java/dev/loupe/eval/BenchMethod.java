package dev.loupe.eval;

import dev.loupe.LoupeException;
import dev.loupe.upsample.BilinearUpsampler;
import dev.loupe.upsample.NearestUpsampler;
import dev.loupe.upsample.Upsampler;
import dev.loupe.upsample.UpsamplerKind;
import dev.loupe.upsample.Upsamplers;
import dev.loupe.upsample.peers.CrossAttention;
import dev.loupe.upsample.peers.PeerUpsampler;
import java.nio.file.Path;

/**
 * An upsampler the bench measures, described so that a child JVM can open the very same one: {@code bilinear},
 * {@code nearest}, {@code folder:PATH} (a trained model folder) or {@code random:KIND} (the kind's default
 * architecture for the backbone, random weights: its speed and memory are those of a trained one).
 *
 * @param name   the row label
 * @param source how to open it (above)
 */
public record BenchMethod(String name, String source) {
    public static BenchMethod fixed(String name) {
        return new BenchMethod(name, name);
    }

    public static BenchMethod folder(String name, Path folder) {
        return new BenchMethod(name, "folder:" + folder.toAbsolutePath());
    }

    public static BenchMethod random(UpsamplerKind kind) {
        return new BenchMethod(kind.id(), "random:" + kind.id());
    }

    /**
     * Opens it for features of {@code channels} at patch {@code patch}; a cross-attention model gets the query-chunk
     * budget {@code chunkBytes}. The caller closes it.
     */
    public Upsampler open(int channels, int patch, long chunkBytes) {
        Upsampler u;
        if (source.equals(Upsamplers.BILINEAR)) {
            u = new BilinearUpsampler();
        } else if (source.equals(Upsamplers.NEAREST)) {
            u = new NearestUpsampler();
        } else if (source.startsWith("folder:")) {
            u = Upsamplers.openFolder(Path.of(source.substring("folder:".length())), channels, patch, "the bench's backbone");
        } else if (source.startsWith("random:")) {
            u = UpsamplerKind.of(source.substring("random:".length())).random(channels, patch, name);
        } else {
            throw new LoupeException("unknown bench method source '" + source + "'");
        }
        if (u instanceof PeerUpsampler p && p.model() instanceof CrossAttention x) x.chunkBytes(chunkBytes);
        return u;
    }
}
