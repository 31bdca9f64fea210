package dev.loupe.app;

import dev.loupe.Progress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import javafx.application.Platform;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.concurrent.Task;

/**
 * Runs the workbench's long work (model loading, feature extraction, rendering, search) as cancellable
 * {@link Task}s on background threads, so the FX thread never waits on a model. The status bar follows
 * {@link #current()}; failures go to one handler that shows the error dialog.
 */
public final class TaskRunner implements AutoCloseable {
    /** Work that reports through {@link Progress} and may be cancelled; it never touches the scene graph. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Progress progress) throws Exception;
    }

    private final ExecutorService executor;
    private final ObservableList<Task<?>> running = FXCollections.observableArrayList();
    private final ReadOnlyObjectWrapper<Task<?>> current = new ReadOnlyObjectWrapper<>();
    private final ErrorHandler errors;

    /** Shown when a task fails: a title (what was being done) and the failure. */
    @FunctionalInterface
    public interface ErrorHandler {
        void failed(String title, Throwable error);
    }

    public TaskRunner(int threads, ErrorHandler errors) {
        this.errors = errors;
        AtomicInteger n = new AtomicInteger();
        ThreadFactory daemons = r -> {
            Thread t = new Thread(r, "loupe-task-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        executor = Executors.newFixedThreadPool(threads, daemons);
    }

    /**
     * Starts {@code work}; {@code onSuccess} runs on the FX thread with its result. Cancelled tasks call neither
     * handler.
     */
    public <T> Task<T> submit(String title, Work<T> work, Consumer<T> onSuccess) {
        Task<T> task = new Task<>() {
            @Override
            protected T call() throws Exception {
                updateTitle(title);
                updateMessage("starting");
                Task<T> self = this;
                return work.run(new Progress() {
                    @Override
                    public void update(double fraction, String message) {
                        if (fraction >= 0) updateProgress(Math.min(1, fraction), 1);
                        else updateProgress(-1, 1);
                        updateMessage(message);
                    }

                    @Override
                    public boolean isCancelled() {
                        return self.isCancelled();
                    }
                });
            }
        };
        task.setOnSucceeded(e -> {
            finished(task);
            onSuccess.accept(task.getValue());
        });
        task.setOnFailed(e -> {
            finished(task);
            errors.failed(title, task.getException());
        });
        task.setOnCancelled(e -> finished(task));
        onFx(() -> {
            running.add(task);
            current.set(task);
        });
        try {
            executor.execute(task);
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            // the workbench is closing: work a finished task's callback asks for is dropped, not an error
            task.cancel();
        }
        return task;
    }

    private void finished(Task<?> task) {
        running.remove(task);
        if (current.get() == task) current.set(running.isEmpty() ? null : running.get(running.size() - 1));
    }

    /** The most recently started task that is still running, or null. */
    public ReadOnlyObjectProperty<Task<?>> current() {
        return current.getReadOnlyProperty();
    }

    public ObservableList<Task<?>> running() {
        return FXCollections.unmodifiableObservableList(running);
    }

    public void cancelAll() {
        for (Task<?> t : running.toArray(Task<?>[]::new)) t.cancel();
    }

    @Override
    public void close() {
        cancelAll();
        executor.shutdownNow();
    }

    private static void onFx(Runnable r) {
        if (Platform.isFxApplicationThread()) r.run();
        else Platform.runLater(r);
    }
}
