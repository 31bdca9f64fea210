package dev.loupe.app.frontier;

import ai.djl.ndarray.NDManager;
import dev.loupe.diffusion.Sampler;
import dev.loupe.diffusion.TextToImageModel;
import dev.loupe.search.SearchSettings;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * The text-to-image model the render panel uses, loaded on first use (on a background thread) and kept while the
 * run's model stays the same. Closed with the workbench.
 */
public final class RenderSession implements AutoCloseable {
    private NDManager manager;
    private Path folder;
    private TextToImageModel model;

    /**
     * Runs {@code work} with a sampler for the run's model with the run's steps, guidance and guidance stop (loading
     * the model if needed). The model stays locked meanwhile, so {@link #close} waits for a render in flight (a cancelled
     * render stops within one denoising step) instead of freeing its weights under it.
     */
    public synchronized <T> T withSampler(SearchSettings run, Function<Sampler, T> work) {
        Path normal = run.model().toAbsolutePath().normalize();
        if (model == null || !normal.equals(this.folder)) {
            close();
            manager = NDManager.newBaseManager();
            try {
                model = TextToImageModel.load(manager, normal);
            } catch (RuntimeException e) {
                close();
                throw e;
            }
            this.folder = normal;
        }
        return work.apply(new Sampler(model, run.sampler(model.config().sampler())));
    }

    @Override
    public synchronized void close() {
        if (manager != null) manager.close();
        manager = null;
        model = null;
        folder = null;
    }
}
