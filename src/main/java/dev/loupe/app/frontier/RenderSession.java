package dev.loupe.app.frontier;

import ai.djl.ndarray.NDManager;
import dev.loupe.diffusion.Sampler;
import dev.loupe.diffusion.TextToImageModel;
import java.nio.file.Path;

/**
 * The text-to-image model the render panel uses, loaded on first use (on a background thread) and kept while the
 * run's model stays the same. Closed with the workbench.
 */
public final class RenderSession implements AutoCloseable {
    private NDManager manager;
    private Path folder;
    private TextToImageModel model;

    /** A sampler for the model in {@code folder} with the run's steps and guidance (loads the model if needed). */
    public synchronized Sampler sampler(Path folder, int steps, double guidance) {
        Path normal = folder.toAbsolutePath().normalize();
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
        return new Sampler(model, steps, guidance, model.config().sampler().shift());
    }

    @Override
    public synchronized void close() {
        if (manager != null) manager.close();
        manager = null;
        model = null;
        folder = null;
    }
}
