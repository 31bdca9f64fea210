package dev.loupe.app;

import javafx.stage.Window;

/**
 * What every controller shares: the background task runner and the error dialog. Controllers receive it in
 * their constructor (see {@link LoupeApp}'s controller factory).
 */
public final class Workbench implements AutoCloseable {
    private final TaskRunner tasks;
    private final java.util.List<AutoCloseable> resources = new java.util.ArrayList<>();
    private Window window;

    public Workbench() {
        tasks = new TaskRunner(2, this::showError);
    }

    public TaskRunner tasks() {
        return tasks;
    }

    public Window window() {
        return window;
    }

    void setWindow(Window window) {
        this.window = window;
    }

    public void showError(String whatFailed, Throwable error) {
        ErrorDialogs.show(window, whatFailed + " failed", error);
    }

    /** Closes {@code resource} (a workspace's models, for example) when the workbench closes, after its tasks stop. */
    public void closeWith(AutoCloseable resource) {
        resources.add(resource);
    }

    @Override
    public void close() {
        tasks.close();
        for (AutoCloseable r : resources) {
            try {
                r.close();
            } catch (Exception e) {
                System.err.println("loupe: closing " + r + ": " + e);
            }
        }
        resources.clear();
    }
}
