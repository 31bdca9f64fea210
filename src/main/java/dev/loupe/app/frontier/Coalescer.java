package dev.loupe.app.frontier;

import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Hands the latest of a stream of values from a worker thread to the FX thread without flooding it: at most one
 * {@code runLater} is pending at a time, and when it runs it takes the newest value (older ones are skipped).
 */
public final class Coalescer<T> {
    private final AtomicReference<T> pending = new AtomicReference<>();
    private final Consumer<T> consumer;
    private final Consumer<Runnable> fxThread;

    /** @param fxThread how to run on the FX thread ({@code Platform::runLater}) */
    public Coalescer(Consumer<T> consumer, Consumer<Runnable> fxThread) {
        this.consumer = consumer;
        this.fxThread = fxThread;
    }

    public void post(T value) {
        if (value == null) throw new IllegalArgumentException("null value");
        if (pending.getAndSet(value) == null) {
            fxThread.accept(() -> {
                T latest = pending.getAndSet(null);
                if (latest != null) consumer.accept(latest);
            });
        }
    }
}
