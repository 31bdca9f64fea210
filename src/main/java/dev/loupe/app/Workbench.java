package dev.loupe.app;

import javafx.stage.Window;

/**
 * What every controller shares: the background task runner and the error dialog. Controllers receive it in
 * their constructor (see {@link LoupeApp}'s controller factory).
 */
public final class Workbench implements AutoCloseable {
    private final TaskRunner tasks;
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

    @Override
    public void close() {
        tasks.close();
    }
}
