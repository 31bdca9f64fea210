package dev.loupe.app.features;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.loupe.LoupeException;
import dev.loupe.Progress;
import dev.loupe.backbone.Backbone;
import dev.loupe.backbone.Backbones;
import dev.loupe.features.DenseFeatures;
import dev.loupe.features.FeaturePipeline;
import dev.loupe.features.Overlay;
import dev.loupe.features.Similarity;
import dev.loupe.tensor.AtomicFiles;
import dev.loupe.tensor.Images;
import dev.loupe.upsample.Upsampler;
import dev.loupe.upsample.Upsamplers;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The Features workspace's work, without a window: the loaded backbone, the upsamplers opened for it, and the dense
 * features of the current image for each upsampler on show. Computing a snapshot runs the backbone only when the
 * image, the backbone or the input size changed; switching or adding an upsampler reuses the backbone features.
 *
 * <p>Every method may block on models and is meant for a background task; calls are serialised (one model user at
 * a time, as {@link Backbone} and {@link Upsampler} require), and a caller waiting for its turn learns of its
 * cancellation. The session owns all native memory it holds: close it when the workspace goes away.
 */
public final class FeatureSession implements AutoCloseable {
    /** What the loaded backbone is, for the toolbar and messages. */
    public record BackboneInfo(String spec, String name, int patch, int channels, int preferredSize, boolean fixedSize) {}

    /** The features computed for one image with one backbone at one input size. */
    private record Key(FeatureSource source, Backbone backbone, int size) {}

    /** One upsampler's dense features and how long they took. */
    private record Computed(DenseFeatures features, double millis) {}

    private final ReentrantLock lock = new ReentrantLock();
    private Backbone backbone;
    private BackboneInfo backboneInfo;
    private final Map<String, Upsampler> upsamplers = new LinkedHashMap<>();
    private Key key;
    private final Map<String, Computed> results = new LinkedHashMap<>();
    private List<Snapshot.Stage> sharedStages = List.of();
    private boolean closed;

    /**
     * Opens the backbone {@code spec} names ({@code sample} or a file, see {@link Backbones#open}) and makes it the
     * session's; the previous backbone, its upsamplers and its features are released. When opening fails the
     * session keeps what it had.
     */
    public BackboneInfo loadBackbone(String spec, Progress progress) {
        progress.update(-1, "loading " + (Backbones.SAMPLE.equals(spec) ? "the sample backbone" : Path.of(spec).getFileName()));
        Backbone opened = Backbones.open(spec);
        try {
            return locked(progress, () -> {
                if (closed) throw new CancellationException("the workspace is closed");
                closeResults();
                closeUpsamplers();
                if (backbone != null) backbone.close();
                backbone = opened;
                backboneInfo = new BackboneInfo(spec, opened.name(), opened.patchSize(), opened.channels(), opened.preferredSize(),
                        opened.fixedSize());
                return backboneInfo;
            });
        } catch (RuntimeException e) {
            opened.close();
            throw e;
        }
    }

    /** The loaded backbone, or null. */
    public BackboneInfo backbone() {
        return backboneInfo;
    }

    /**
     * Opens the upsampler {@code spec} names for the loaded backbone (kept for later snapshots); a learned upsampler
     * made for another backbone is one clear {@link LoupeException}.
     */
    public void prepareUpsampler(String spec, Progress progress) {
        locked(progress, () -> upsampler(spec));
    }

    /**
     * Runs the backbone and the upsampler {@code spec} once on a synthetic image of the backbone's preferred size and
     * throws the result away, so that the first image the user opens does not pay for the engine's first-call set-up
     * (which is per operator and input size).
     */
    public void warmUp(String spec, Progress progress) {
        locked(progress, () -> {
            Backbone b = requireBackbone();
            int size = b.preferredSize();
            try (NDManager m = NDManager.newBaseManager()) {
                NDArray image = m.linspace(0f, 1f, 3 * size * size).reshape(1, 3, size, size);
                try (DenseFeatures f = FeaturePipeline.run(image, b, upsampler(spec), new FeaturePipeline.Options(size, 1L << 20), progress)) {
                    f.densePca();
                    f.denseSimilarity(0, 0);
                }
            }
            return null;
        });
    }

    /**
     * The features of {@code source} upsampled by each of {@code specs} (the first is the workspace's main one) with
     * the backbone input's longer side {@code size} (0: the backbone's preferred size), rendered. Features already
     * computed for the same image, backbone and size are reused; features of upsamplers no longer asked for are
     * released.
     */
    public Snapshot compute(FeatureSource source, List<String> specs, int size, Progress progress) {
        if (specs.isEmpty()) throw new IllegalArgumentException("no upsampler asked for");
        return locked(progress, () -> {
            Backbone b = requireBackbone();
            Key wanted = new Key(source, b, size);
            if (!wanted.equals(key)) {
                closeResults();
                key = wanted;
            }
            boolean reusedBackbone = !results.isEmpty();
            Map<String, Boolean> reused = new LinkedHashMap<>();
            int done = 0;
            for (String spec : specs) {
                Progress part = part(progress, done++, specs.size());
                if (results.containsKey(spec)) {
                    reused.put(spec, true);
                    continue;
                }
                Upsampler u = upsampler(spec);
                DenseFeatures base = results.isEmpty() ? null : results.values().iterator().next().features();
                DenseFeatures f;
                if (base == null) {
                    try (NDManager m = NDManager.newBaseManager()) {
                        NDArray image = Images.toTensor(source.image(), m);
                        f = FeaturePipeline.run(image, b, u, new FeaturePipeline.Options(size, source.maxPixels()), part);
                    }
                    sharedStages = f.stages().stream().filter(s -> !s.name().equals("upsample"))
                            .map(s -> new Snapshot.Stage(s.name(), s.millis())).toList();
                } else {
                    f = FeaturePipeline.upsample(base, u, part);
                }
                results.put(spec, new Computed(f, upsampleMillis(f)));
                reused.put(spec, false);
            }
            // keep the features of the upsamplers on show only (one of them holds the shared low-resolution features)
            for (String spec : new ArrayList<>(results.keySet())) {
                if (!specs.contains(spec)) results.remove(spec).features().close();
            }
            progress.update(-1, "rendering");
            return render(source, specs, reused, reusedBackbone);
        });
    }

    private Snapshot render(FeatureSource source, List<String> specs, Map<String, Boolean> reused, boolean reusedBackbone) {
        DenseFeatures first = results.get(specs.get(0)).features();
        List<Snapshot.Layer> layers = new ArrayList<>();
        for (String spec : specs) {
            Computed c = results.get(spec);
            layers.add(new Snapshot.Layer(spec, c.features().upsamplerName(), c.features().densePca(), c.millis(), reused.get(spec)));
        }
        return new Snapshot(source, first.backboneName(), (int) first.lowRes().getShape().get(1), first.width(), first.height(),
                first.lowResPca(), layers, sharedStages, reusedBackbone, first.pca().explainedVariance(), first.note());
    }

    /**
     * Similarity maps from pixel ({@code x}, {@code y}) of {@code source} (in its shown coordinates), for the
     * features of {@code snapshot}'s upsamplers. Empty when the session's features are no longer those of the
     * snapshot (the user moved on).
     */
    public java.util.Optional<SimilarityMaps> similarity(Snapshot snapshot, int x, int y, Progress progress) {
        return locked(progress, () -> {
            if (!matches(snapshot)) return java.util.Optional.empty();
            FeatureSource source = snapshot.source();
            if (x < 0 || y < 0 || x >= source.width() || y >= source.height()) {
                throw new IllegalArgumentException("pixel (" + x + ", " + y + ") is outside the " + source.width() + "x" + source.height() + " image");
            }
            int ix = (int) ((long) x * snapshot.inputWidth() / source.width());
            int iy = (int) ((long) y * snapshot.inputHeight() / source.height());
            DenseFeatures first = results.get(snapshot.upsampled().get(0).spec()).features();
            Similarity.Scores low = first.lowResSimilarity(ix, iy);
            int[] token = Similarity.cell(first.lowRes(), ix, iy, first.width(), first.height());
            List<Similarity.Scores> dense = new ArrayList<>();
            for (Snapshot.Layer layer : snapshot.upsampled()) dense.add(results.get(layer.spec()).features().denseSimilarity(ix, iy));
            double min = min(low.values());
            for (Similarity.Scores s : dense) min = Math.min(min, min(s.values()));
            // one scale for every map, from the least similar location (rounded down to a tenth) to 1
            double lowEnd = Math.max(-1, Math.floor(min * 10) / 10);
            if (lowEnd >= 1) lowEnd = 0.9;
            List<BufferedImage> denseImages = new ArrayList<>();
            for (Similarity.Scores s : dense) denseImages.add(SimilarityMaps.COLOURS.render(s.values(), s.width(), s.height(), lowEnd, 1));
            return java.util.Optional.of(new SimilarityMaps(x, y, ix, iy, token[0], token[1],
                    SimilarityMaps.COLOURS.render(low.values(), low.width(), low.height(), lowEnd, 1), denseImages, lowEnd, 1));
        });
    }

    /** File names of an export (the first upsampler's match {@code loupe features}; the second's start with "compare_"). */
    public static final String INPUT = "input.png";
    public static final String LOW_RES_PCA = "lowres_pca.png";
    public static final String UPSAMPLED_PCA = "upsampled_pca.png";
    public static final String OVERLAY = "overlay.png";
    public static final String DENSE_FEATURES = "dense_features.safetensors";
    public static final String LOW_RES_SIMILARITY = "lowres_similarity.png";
    public static final String UPSAMPLED_SIMILARITY = "upsampled_similarity.png";
    public static final String SUMMARY = "features.json";
    public static final String COMPARE_PREFIX = "compare_";

    /**
     * Writes {@code snapshot}'s images and features into {@code folder} (created if missing), each file atomically:
     * the PCA images (low-resolution, upsampled, overlay at {@code opacity}), the dense features as safetensors,
     * the similarity maps when {@code similarity} is given, and {@value #SUMMARY} (what made them, with timings).
     * Returns the files written, in order.
     */
    public List<Path> export(Snapshot snapshot, SimilarityMaps similarity, double opacity, Path folder, Progress progress) throws IOException {
        if (Files.exists(folder) && !Files.isDirectory(folder)) throw new LoupeException(folder + " exists and is not a folder");
        return lockedIo(progress, () -> {
            if (!matches(snapshot)) throw new LoupeException("the features on show were replaced while exporting; export again");
            Files.createDirectories(folder);
            List<Path> written = new ArrayList<>();
            DenseFeatures first = results.get(snapshot.upsampled().get(0).spec()).features();
            int w = first.width();
            int h = first.height();
            progress.update(0, "writing " + INPUT);
            written.add(png(folder.resolve(INPUT), first.imageRgb()));
            written.add(png(folder.resolve(LOW_RES_PCA), first.lowResPcaAtImageSize()));
            if (similarity != null) written.add(png(folder.resolve(LOW_RES_SIMILARITY), Overlay.nearest(similarity.lowRes(), w, h)));
            List<Snapshot.Layer> layers = snapshot.upsampled();
            for (int i = 0; i < layers.size(); i++) {
                if (progress.isCancelled()) throw new CancellationException("export cancelled");
                String prefix = i == 0 ? "" : i == 1 ? COMPARE_PREFIX : COMPARE_PREFIX + (i + 1) + "_";
                DenseFeatures f = results.get(layers.get(i).spec()).features();
                progress.update((i + 1.0) / (layers.size() + 1), "writing the " + f.upsamplerName() + " features");
                written.add(png(folder.resolve(prefix + UPSAMPLED_PCA), f.densePca()));
                written.add(png(folder.resolve(prefix + OVERLAY), f.overlay(opacity)));
                if (similarity != null) written.add(png(folder.resolve(prefix + UPSAMPLED_SIMILARITY), similarity.dense().get(i)));
                Path dense = folder.resolve(prefix + DENSE_FEATURES);
                f.writeFeatures(dense);
                written.add(dense);
            }
            Path summary = folder.resolve(SUMMARY);
            AtomicFiles.writeString(summary, new GsonBuilder().setPrettyPrinting().create().toJson(summary(snapshot, similarity, opacity)) + "\n");
            written.add(summary);
            progress.update(1, "done");
            return written;
        });
    }

    private static JsonObject summary(Snapshot s, SimilarityMaps similarity, double opacity) {
        JsonObject o = new JsonObject();
        o.addProperty("image", s.source().file().toString());
        o.addProperty("image_size", s.source().originalWidth() + "x" + s.source().originalHeight());
        if (s.source().resized()) o.addProperty("decoded_size", s.source().width() + "x" + s.source().height());
        o.addProperty("backbone", s.backbone());
        o.addProperty("input_size", s.inputWidth() + "x" + s.inputHeight());
        o.addProperty("tokens", s.tokensWide() + "x" + s.tokensHigh());
        o.addProperty("channels", s.channels());
        JsonArray ups = new JsonArray();
        for (int i = 0; i < s.upsampled().size(); i++) {
            Snapshot.Layer l = s.upsampled().get(i);
            JsonObject u = new JsonObject();
            u.addProperty("name", l.name());
            u.addProperty("spec", l.spec());
            u.addProperty("files_prefix", i == 0 ? "" : i == 1 ? COMPARE_PREFIX : COMPARE_PREFIX + (i + 1) + "_");
            u.addProperty("upsample_ms", round(l.millis()));
            ups.add(u);
        }
        o.add("upsamplers", ups);
        JsonObject stages = new JsonObject();
        stages.addProperty("decode", round(s.source().decodeMillis()));
        s.stages().forEach(st -> stages.addProperty(st.name(), round(st.millis())));
        o.add("stage_ms", stages);
        JsonArray ev = new JsonArray();
        for (double e : s.explained()) ev.add(round(e * 1000) / 1000);
        o.add("pca_explained_variance", ev);
        o.addProperty("overlay_opacity", opacity);
        if (similarity != null) {
            JsonObject sim = new JsonObject();
            sim.addProperty("pixel", similarity.inputX() + "," + similarity.inputY());
            sim.addProperty("token", similarity.tokenX() + "," + similarity.tokenY());
            sim.addProperty("colour_map", SimilarityMaps.COLOURS.name().toLowerCase(java.util.Locale.ROOT));
            sim.addProperty("range", similarity.low() + ".." + similarity.high());
            o.add("similarity", sim);
        }
        if (!s.note().isEmpty()) o.addProperty("note", s.note());
        return o;
    }

    private static double round(double ms) {
        return Math.round(ms * 10) / 10.0;
    }

    private static Path png(Path file, BufferedImage image) throws IOException {
        Images.writePng(file, image);
        return file;
    }

    private boolean matches(Snapshot snapshot) {
        return key != null && key.source() == snapshot.source()
                && snapshot.upsampled().stream().allMatch(l -> results.containsKey(l.spec()));
    }

    private Backbone requireBackbone() {
        if (backbone == null) throw new LoupeException("no backbone is loaded: choose one in the Backbone list");
        return backbone;
    }

    private Upsampler upsampler(String spec) {
        Backbone b = requireBackbone();
        Upsampler u = upsamplers.get(spec);
        if (u == null) {
            u = Upsamplers.open(spec, b.channels(), b.patchSize(), b.name());
            upsamplers.put(spec, u);
        }
        return u;
    }

    private static double upsampleMillis(DenseFeatures f) {
        return f.stages().stream().filter(s -> s.name().equals("upsample")).mapToDouble(DenseFeatures.Stage::millis).sum();
    }

    private static double min(float[] values) {
        double m = Double.POSITIVE_INFINITY;
        for (float v : values) m = Math.min(m, v);
        return m;
    }

    /** {@code progress} for part {@code index} of {@code count} equal parts. */
    private static Progress part(Progress progress, int index, int count) {
        return new Progress() {
            @Override
            public void update(double fraction, String message) {
                progress.update(fraction < 0 ? fraction : (index + fraction) / count, message);
            }

            @Override
            public boolean isCancelled() {
                return progress.isCancelled();
            }
        };
    }

    @FunctionalInterface
    private interface Body<T> {
        T run() throws IOException;
    }

    private <T> T locked(Progress progress, java.util.function.Supplier<T> body) {
        try {
            return lockedIo(progress, body::get);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Runs {@code body} holding the session, waiting for its turn while the caller is not cancelled. */
    private <T> T lockedIo(Progress progress, Body<T> body) throws IOException {
        boolean told = false;
        try {
            while (!lock.tryLock(100, TimeUnit.MILLISECONDS)) {
                if (progress.isCancelled()) throw new CancellationException("cancelled while waiting");
                if (!told) progress.update(-1, "waiting for the running job");
                told = true;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted while waiting");
        }
        try {
            if (closed) throw new CancellationException("the workspace is closed");
            return body.run();
        } finally {
            lock.unlock();
        }
    }

    private void closeResults() {
        results.values().forEach(c -> c.features().close());
        results.clear();
        key = null;
        sharedStages = List.of();
    }

    private void closeUpsamplers() {
        upsamplers.values().forEach(Upsampler::close);
        upsamplers.clear();
    }

    /** Releases everything, waiting for a running computation to finish. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) return;
            closed = true;
            closeResults();
            closeUpsamplers();
            if (backbone != null) backbone.close();
            backbone = null;
            backboneInfo = null;
        } finally {
            lock.unlock();
        }
    }
}
