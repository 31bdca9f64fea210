package dev.loupe.app;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javafx.application.Platform;

/**
 * Measures how long the FX thread keeps work waiting: every 10 ms a background thread posts a {@code runLater} that
 * records how late it ran. The largest delay is the longest the window could not react (repaint, click) in that
 * time; delays over 100 ms are counted as stalls.
 */
final class FxStallProbe implements AutoCloseable {
    static final long STALL_MILLIS = 100;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "fx-stall-probe");
        t.setDaemon(true);
        return t;
    });
    private final AtomicLong maxNanos = new AtomicLong();
    private final AtomicInteger stalls = new AtomicInteger();
    private final AtomicInteger pulses = new AtomicInteger();

    FxStallProbe() {
        timer.scheduleAtFixedRate(() -> {
            long posted = System.nanoTime();
            Platform.runLater(() -> {
                long late = System.nanoTime() - posted;
                pulses.incrementAndGet();
                maxNanos.accumulateAndGet(late, Math::max);
                if (late > STALL_MILLIS * 1_000_000) stalls.incrementAndGet();
            });
        }, 0, 10, TimeUnit.MILLISECONDS);
    }

    double maxMillis() {
        return maxNanos.get() / 1e6;
    }

    int stalls() {
        return stalls.get();
    }

    int pulses() {
        return pulses.get();
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "%d pulses, longest FX-thread delay %.1f ms, %d over %d ms", pulses(),
                maxMillis(), stalls(), STALL_MILLIS);
    }
}
