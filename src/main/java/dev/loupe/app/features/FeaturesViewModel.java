package dev.loupe.app.features;

import dev.loupe.LoupeException;
import dev.loupe.app.TaskRunner;
import dev.loupe.backbone.Backbones;
import dev.loupe.features.FeaturePipeline;
import dev.loupe.upsample.UpsamplerKind;
import dev.loupe.upsample.Upsamplers;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CancellationException;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.LongProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleLongProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.concurrent.Task;
import javafx.concurrent.Worker;
import javafx.geometry.Point2D;

/**
 * The state of the Features workspace and what the user can do there, without any widget: the controller binds
 * the view to these properties and forwards the user's gestures; tests drive it directly. Everything runs on the
 * FX thread except the work, which goes to {@link TaskRunner} tasks over a {@link FeatureSession}.
 *
 * <p>Flow: the sample models load in the background at start ({@link #start()}); opening an image decodes it
 * ("Open image") and then computes its features ("Features") for the chosen upsampler and, when comparing, a
 * second one; changing an upsampler recomputes only the upsampling; a click computes similarity maps. A failure
 * shows the error dialog and leaves what was on show as it was (a choice that failed is set back).
 */
public final class FeaturesViewModel implements AutoCloseable {
    public enum ModelState { LOADING, READY, FAILED }

    public enum ViewMode {
        SIDE_BY_SIDE("Side by side"), OVERLAY("Overlay");

        private final String label;

        ViewMode(String label) {
            this.label = label;
        }

        @Override
        public String toString() {
            return label;
        }
    }

    /** An entry of a chooser: a model spec with its label; {@code action} entries open a file dialog instead. */
    public record Choice(String label, String spec, boolean action) {
        public static Choice of(String label, String spec) {
            return new Choice(label, spec, false);
        }

        @Override
        public String toString() {
            return label;
        }
    }

    /**
     * A message over the panels: a warning (the image was resized, an upsampler did not fit the backbone) or
     * information (an export). A new notice replaces the one of the same topic.
     */
    public record Notice(Topic topic, boolean warning, String text) {}

    public enum Topic { MODELS, IMAGE, PIPELINE, EXPORT }

    public static final Choice SAMPLE_BACKBONE = Choice.of("Sample ViT", Backbones.SAMPLE);
    public static final Choice OPEN_BACKBONE = new Choice("Open backbone file…", null, true);
    public static final Choice OPEN_UPSAMPLER = new Choice("Open upsampler folder…", null, true);
    public static final Choice NO_COMPARISON = Choice.of("None", "");
    /** Input sizes offered (longer side, px); 0 is the backbone's preferred size. */
    public static final List<Integer> INPUT_SIZES = List.of(0, 224, 256, 320, 448, 512, 672, 896);
    public static final List<Long> PIXEL_LIMITS = List.of(1L << 20, 4L << 20, 16L << 20, 64L << 20, 256L << 20);
    public static final double DEFAULT_OPACITY = 0.6;

    private static final System.Logger LOG = System.getLogger(FeaturesViewModel.class.getName());

    private final TaskRunner tasks;
    private final FeatureSession session = new FeatureSession();

    private final ReadOnlyObjectWrapper<ModelState> modelState = new ReadOnlyObjectWrapper<>(ModelState.LOADING);
    private final ReadOnlyStringWrapper modelMessage = new ReadOnlyStringWrapper("");
    private final ReadOnlyObjectWrapper<FeatureSession.BackboneInfo> backboneInfo = new ReadOnlyObjectWrapper<>();
    private final ObservableList<Choice> backbones = FXCollections.observableArrayList(SAMPLE_BACKBONE, OPEN_BACKBONE);
    private final ObservableList<Choice> upsamplers = FXCollections.observableArrayList();
    private final ObservableList<Choice> comparisons = FXCollections.observableArrayList();
    private final ObjectProperty<Choice> backbone = new SimpleObjectProperty<>(SAMPLE_BACKBONE);
    private final ObjectProperty<Choice> upsampler = new SimpleObjectProperty<>();
    private final ObjectProperty<Choice> comparison = new SimpleObjectProperty<>(NO_COMPARISON);
    private final IntegerProperty inputSize = new SimpleIntegerProperty(0);
    private final LongProperty pixelLimit = new SimpleLongProperty(FeaturePipeline.DEFAULT_MAX_PIXELS);
    private final ObjectProperty<ViewMode> viewMode = new SimpleObjectProperty<>(ViewMode.SIDE_BY_SIDE);
    private final DoubleProperty opacity = new SimpleDoubleProperty(DEFAULT_OPACITY);

    private final ReadOnlyObjectWrapper<FeatureSource> source = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyObjectWrapper<Snapshot> snapshot = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyObjectWrapper<Point2D> pixel = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyObjectWrapper<SimilarityMaps> similarity = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyBooleanWrapper opening = new ReadOnlyBooleanWrapper();
    private final ReadOnlyBooleanWrapper computing = new ReadOnlyBooleanWrapper();
    private final ObservableList<Notice> notices = FXCollections.observableArrayList();
    private final ObservableList<Notice> noticesView = FXCollections.unmodifiableObservableList(notices);
    private final ReadOnlyDoubleWrapper readyMillis = new ReadOnlyDoubleWrapper(Double.NaN);
    private final BooleanProperty canExport = new SimpleBooleanProperty();

    private Task<?> openTask;
    private Task<?> featuresTask;
    private Task<?> similarityTask;
    private boolean computeWhenLoaded;
    private boolean reverting;
    private long openedAt;
    private long modelsReadyAt;
    /** The choices of the last snapshot that succeeded, to set back when a change fails. */
    private Choice goodUpsampler;
    private Choice goodComparison;
    private int goodSize;

    public FeaturesViewModel(TaskRunner tasks) {
        this.tasks = tasks;
        for (String name : Upsamplers.NAMES) upsamplers.add(Choice.of(label(name), name));
        upsamplers.add(OPEN_UPSAMPLER);
        comparisons.add(NO_COMPARISON);
        for (String name : Upsamplers.NAMES) comparisons.add(Choice.of(label(name), name));
        upsampler.set(upsamplers.get(0));
        goodUpsampler = upsampler.get();
        goodComparison = comparison.get();
        upsampler.addListener((obs, old, now) -> choiceChanged());
        comparison.addListener((obs, old, now) -> choiceChanged());
        inputSize.addListener((obs, old, now) -> {
            if (reverting) return;
            snapshot.set(null);
            recompute();
        });
        pixelLimit.addListener((obs, old, now) -> reopenForLimit());
        canExport.bind(snapshot.isNotNull());
    }

    /** A readable name for an upsampler spec. */
    public static String label(String spec) {
        return switch (spec) {
            case Upsamplers.UPLIFT, Upsamplers.LIFT, Upsamplers.JBU, Upsamplers.XATTN -> UpsamplerKind.of(spec).displayName();
            case Upsamplers.BILINEAR -> "Bilinear";
            case Upsamplers.NEAREST -> "Nearest";
            default -> {
                Path p = Path.of(spec);
                yield p.getNameCount() > 1 ? p.getFileName().toString() : spec.substring(0, 1).toUpperCase(Locale.ROOT) + spec.substring(1);
            }
        };
    }

    /** Loads the sample backbone and the chosen upsampler in the background; images opened meanwhile wait for it. */
    public void start() {
        modelState.set(ModelState.LOADING);
        modelMessage.set("Loading the sample models…");
        String up = upsampler.get().spec();
        Task<Loaded> task = tasks.submit("Load models", progress -> {
            FeatureSession.BackboneInfo info;
            try {
                info = session.loadBackbone(Backbones.SAMPLE, progress);
            } catch (RuntimeException e) {
                // a missing sample model is a state of the workspace, not a dialog at start
                return new Loaded(null, e);
            }
            RuntimeException upsamplerError = null;
            String ready = up;
            try {
                progress.update(-1, "loading " + label(up));
                session.prepareUpsampler(up, progress);
            } catch (RuntimeException e) {
                upsamplerError = e;
                ready = Upsamplers.BILINEAR;
            }
            try {
                progress.update(-1, "warming up");
                session.warmUp(ready, progress);
            } catch (CancellationException e) {
                throw e;
            } catch (RuntimeException e) {
                if (upsamplerError == null) upsamplerError = e;
            }
            return new Loaded(info, upsamplerError);
        }, loaded -> {
            modelsReadyAt = System.nanoTime();
            backboneInfo.set(loaded.info());
            if (loaded.error() == null) {
                modelState.set(ModelState.READY);
                modelMessage.set("");
            } else {
                modelState.set(loaded.info() == null ? ModelState.FAILED : ModelState.READY);
                modelMessage.set("The sample models could not be loaded: " + LoupeException.userMessage(loaded.error()));
                if (loaded.info() != null) {
                    // the backbone loaded, the upsampler did not: fall back to plain interpolation
                    upsampler.set(choice(upsamplers, Upsamplers.BILINEAR));
                    notify(new Notice(Topic.MODELS, true, modelMessage.get() + " Showing bilinear upsampling."));
                }
            }
            if (computeWhenLoaded) {
                computeWhenLoaded = false;
                recompute();
            }
        });
        whenDone(task, () -> {
            if (task.getState() == Worker.State.SUCCEEDED) return;
            modelState.set(ModelState.FAILED);
            modelMessage.set("Loading the sample models was cancelled: choose a backbone in the toolbar to load one.");
            backbone.set(null);
        });
    }

    private record Loaded(FeatureSession.BackboneInfo info, Throwable error) {}

    /** Opens an image file (menu, drag and drop, tests): decodes it, shows it, then computes its features. */
    public Task<FeatureSource> openImage(Path file) {
        return open(file, file.getFileName() == null ? file.toString() : file.getFileName().toString());
    }

    public Task<FeatureSource> openSample(Samples.Sample sample) {
        return open(Samples.file(sample), sample.fileName());
    }

    private Task<FeatureSource> open(Path file, String name) {
        cancel(openTask);
        openedAt = System.nanoTime();
        long limit = pixelLimit.get();
        opening.set(true);
        Task<FeatureSource> task = tasks.submit("Open image", progress -> {
            progress.update(-1, "reading " + name);
            return FeatureSource.decode(file, name, limit);
        }, decoded -> {
            cancel(featuresTask);
            cancel(similarityTask);
            source.set(decoded);
            snapshot.set(null);
            pixel.set(null);
            similarity.set(null);
            readyMillis.set(Double.NaN);
            dismiss(Topic.IMAGE);
            dismiss(Topic.PIPELINE);
            dismiss(Topic.EXPORT);
            if (decoded.resized()) notify(new Notice(Topic.IMAGE, true, decoded.notice() + " Raise the limit under Input to see more detail."));
            recompute();
        });
        openTask = task;
        whenDone(task, () -> opening.set(false));
        return task;
    }

    private void reopenForLimit() {
        FeatureSource s = source.get();
        if (s == null) return;
        long original = (long) s.originalWidth() * s.originalHeight();
        boolean changes = s.resized() || original > pixelLimit.get();
        if (changes) open(s.file(), s.name());
    }

    private void choiceChanged() {
        if (reverting) return;
        if (upsampler.get() == null || upsampler.get().action()) return;
        recompute();
    }

    /** The upsampler specs on show: the chosen one, then the comparison (when there is one). */
    public List<String> specs() {
        List<String> specs = new ArrayList<>();
        specs.add(upsampler.get().spec());
        Choice c = comparison.get();
        if (c != null && !c.spec().isEmpty() && !c.action() && !specs.contains(c.spec())) specs.add(c.spec());
        return specs;
    }

    /** Computes the features on show for the current image (the backbone runs only when its input changed). */
    public void recompute() {
        FeatureSource s = source.get();
        if (s == null) return;
        if (modelState.get() == ModelState.LOADING) {
            computeWhenLoaded = true;
            return;
        }
        if (modelState.get() == ModelState.FAILED) return; // the panels say why; choosing a backbone computes
        cancel(featuresTask);
        List<String> specs = specs();
        int size = inputSize.get();
        Choice up = upsampler.get();
        Choice cmp = comparison.get();
        computing.set(true);
        Task<Snapshot> task = tasks.submit("Features", progress -> session.compute(s, specs, size, progress), result -> {
            if (result.source() != source.get()) return;
            snapshot.set(result);
            goodUpsampler = up;
            goodComparison = cmp;
            goodSize = size;
            if (Double.isNaN(readyMillis.get())) {
                readyMillis.set((System.nanoTime() - Math.max(openedAt, modelsReadyAt)) / 1e6);
                LOG.log(System.Logger.Level.INFO, String.format(Locale.ROOT, "%s: features on show %.0f ms after opening (%s)",
                        result.source().name(), readyMillis.get(), String.join(", ", specs)));
            }
            if (result.note().isEmpty()) dismiss(Topic.PIPELINE);
            else notify(new Notice(Topic.PIPELINE, true, result.note()));
            Point2D p = pixel.get();
            similarity.set(null);
            if (p != null) computeSimilarity(p);
        });
        featuresTask = task;
        whenDone(task, () -> {
            if (featuresTask == task) computing.set(false);
            if (task.getState() == Worker.State.FAILED) revertChoices();
        });
    }

    private void revertChoices() {
        reverting = true;
        try {
            upsampler.set(goodUpsampler);
            comparison.set(goodComparison);
            inputSize.set(goodSize);
        } finally {
            reverting = false;
        }
    }

    /** Picks pixel ({@code x}, {@code y}) of the shown image: its similarity maps follow. */
    public void selectPixel(int x, int y) {
        FeatureSource s = source.get();
        if (s == null || x < 0 || y < 0 || x >= s.width() || y >= s.height()) return;
        Point2D p = new Point2D(x, y);
        pixel.set(p);
        if (snapshot.get() != null) computeSimilarity(p);
    }

    public void clearPixel() {
        cancel(similarityTask);
        pixel.set(null);
        similarity.set(null);
    }

    private void computeSimilarity(Point2D p) {
        Snapshot shown = snapshot.get();
        cancel(similarityTask);
        similarityTask = tasks.submit("Similarity", progress -> session.similarity(shown, (int) p.getX(), (int) p.getY(), progress),
                maps -> {
                    if (snapshot.get() == shown && p.equals(pixel.get())) maps.ifPresent(similarity::set);
                });
    }

    /** Opens a TorchScript/ONNX backbone file (or a sample-ViT folder) and recomputes with it. */
    public Task<?> openBackbone(Path file) {
        return loadBackbone(Choice.of(file.getFileName().toString(), file.toString()));
    }

    /** Switches to a backbone of the list. */
    public Task<?> chooseBackbone(Choice choice) {
        if (choice == null || choice.action()) return null;
        FeatureSession.BackboneInfo now = backboneInfo.get();
        if (now != null && now.spec().equals(choice.spec()) && modelState.get() == ModelState.READY) return null;
        return loadBackbone(choice);
    }

    private Task<?> loadBackbone(Choice choice) {
        Choice previous = backbone.get();
        List<String> specs = specs();
        cancel(featuresTask);
        modelState.set(ModelState.LOADING);
        modelMessage.set("Loading " + choice.label() + "…");
        Task<BackboneSwitch> task = tasks.submit("Load backbone", progress -> {
            FeatureSession.BackboneInfo info = session.loadBackbone(choice.spec(), progress);
            // an upsampler trained for another backbone cannot follow: say so and fall back
            List<String> misfits = new ArrayList<>();
            String message = null;
            for (String spec : specs) {
                try {
                    session.prepareUpsampler(spec, progress);
                } catch (LoupeException e) {
                    misfits.add(spec);
                    if (message == null) message = e.getMessage();
                }
            }
            return new BackboneSwitch(info, misfits, message);
        }, result -> {
            backboneInfo.set(result.info());
            modelState.set(ModelState.READY);
            modelMessage.set("");
            if (!backbones.contains(choice)) backbones.add(backbones.size() - 1, choice);
            reverting = true;
            try {
                backbone.set(choice);
                if (result.misfits().contains(upsampler.get().spec())) upsampler.set(choice(upsamplers, Upsamplers.BILINEAR));
                if (result.misfits().contains(comparison.get().spec())) comparison.set(NO_COMPARISON);
                goodUpsampler = upsampler.get();
                goodComparison = comparison.get();
            } finally {
                reverting = false;
            }
            if (result.misfits().isEmpty()) {
                dismiss(Topic.MODELS);
            } else {
                notify(new Notice(Topic.MODELS, true, result.message() + " Showing " + label(upsampler.get().spec()).toLowerCase(Locale.ROOT)
                        + " upsampling instead."));
            }
            snapshot.set(null);
            similarity.set(null);
            if (source.get() != null) recompute();
        });
        whenDone(task, () -> {
            if (task.getState() == Worker.State.SUCCEEDED) return;
            // the session kept the backbone it had
            modelState.set(backboneInfo.get() == null ? ModelState.FAILED : ModelState.READY);
            modelMessage.set(backboneInfo.get() == null ? "No backbone is loaded: choose one in the Backbone list." : "");
            reverting = true;
            try {
                backbone.set(previous);
            } finally {
                reverting = false;
            }
            if (source.get() != null && snapshot.get() == null && backboneInfo.get() != null) recompute();
        });
        return task;
    }

    private record BackboneSwitch(FeatureSession.BackboneInfo info, List<String> misfits, String message) {}

    /** Adds an upsampler folder (written by {@code loupe train uplift}) to the lists and shows it. */
    public void openUpsampler(Path folder) {
        Choice choice = Choice.of(folder.getFileName().toString(), folder.toString());
        if (!upsamplers.contains(choice)) {
            upsamplers.add(upsamplers.size() - 1, choice);
            comparisons.add(choice);
        }
        upsampler.set(choice);
    }

    /** Writes the features on show into {@code folder}; the notice lists what was written. */
    public Task<List<Path>> exportTo(Path folder) {
        Snapshot shown = snapshot.get();
        if (shown == null) throw new IllegalStateException("nothing to export yet");
        SimilarityMaps maps = similarity.get();
        double alpha = opacity.get();
        return tasks.submit("Export", progress -> session.export(shown, maps, alpha, folder, progress),
                files -> notify(new Notice(Topic.EXPORT, false, "Exported " + files.size() + " files to " + folder + ".")));
    }

    private void notify(Notice notice) {
        for (int i = 0; i < notices.size(); i++) {
            if (notices.get(i).topic() == notice.topic()) {
                notices.set(i, notice);
                return;
            }
        }
        notices.add(notice);
    }

    public void dismiss(Topic topic) {
        notices.removeIf(n -> n.topic() == topic);
    }

    private static Choice choice(List<Choice> list, String spec) {
        return list.stream().filter(c -> spec.equals(c.spec())).findFirst().orElse(list.get(0));
    }

    private static void cancel(Task<?> task) {
        if (task != null && task.isRunning()) task.cancel();
    }

    private static void whenDone(Task<?> task, Runnable action) {
        task.stateProperty().addListener((obs, old, state) -> {
            if (state == Worker.State.SUCCEEDED || state == Worker.State.FAILED || state == Worker.State.CANCELLED) action.run();
        });
    }

    // --- properties -------------------------------------------------------------------------------------------

    public ReadOnlyObjectProperty<ModelState> modelState() { return modelState.getReadOnlyProperty(); }

    /** Why the models are not ready ("" when they are). */
    public ReadOnlyStringProperty modelMessage() { return modelMessage.getReadOnlyProperty(); }

    public ReadOnlyObjectProperty<FeatureSession.BackboneInfo> backboneInfo() { return backboneInfo.getReadOnlyProperty(); }

    public ObservableList<Choice> backbones() { return backbones; }

    public ObservableList<Choice> upsamplers() { return upsamplers; }

    public ObservableList<Choice> comparisons() { return comparisons; }

    /** The backbone on show (changed by {@link #chooseBackbone} and {@link #openBackbone} once it has loaded). */
    public ReadOnlyObjectProperty<Choice> backbone() { return backbone; }

    public ObjectProperty<Choice> upsampler() { return upsampler; }

    public ObjectProperty<Choice> comparison() { return comparison; }

    /** Longer side of the backbone input in px; 0 for the backbone's preferred size. */
    public IntegerProperty inputSize() { return inputSize; }

    /** Images with more pixels are shrunk to this many when decoded. */
    public LongProperty pixelLimit() { return pixelLimit; }

    public ObjectProperty<ViewMode> viewMode() { return viewMode; }

    /** Opacity of the feature colours over the image in overlay mode. */
    public DoubleProperty opacity() { return opacity; }

    public ReadOnlyObjectProperty<FeatureSource> source() { return source.getReadOnlyProperty(); }

    public ReadOnlyObjectProperty<Snapshot> snapshot() { return snapshot.getReadOnlyProperty(); }

    /** The picked pixel in the shown image's coordinates, or null. */
    public ReadOnlyObjectProperty<Point2D> pixel() { return pixel.getReadOnlyProperty(); }

    public ReadOnlyObjectProperty<SimilarityMaps> similarity() { return similarity.getReadOnlyProperty(); }

    public ReadOnlyBooleanProperty opening() { return opening.getReadOnlyProperty(); }

    public ReadOnlyBooleanProperty computing() { return computing.getReadOnlyProperty(); }

    /** The messages over the panels, oldest first. */
    public ObservableList<Notice> notices() { return noticesView; }

    /** The notice of {@code topic}, or null. */
    public Notice notice(Topic topic) {
        return notices.stream().filter(n -> n.topic() == topic).findFirst().orElse(null);
    }

    /**
     * Milliseconds from opening the current image (or from the models being ready, when it was opened while they
     * loaded) to its first features on show; NaN until then.
     */
    public ReadOnlyDoubleProperty readyMillis() { return readyMillis.getReadOnlyProperty(); }

    public ReadOnlyBooleanProperty canExport() { return BooleanProperty.readOnlyBooleanProperty(canExport); }

    /**
     * Releases the models and features, waiting for a running computation to stop; called from any thread after
     * the task runner has cancelled its tasks.
     */
    @Override
    public void close() {
        session.close();
    }
}
