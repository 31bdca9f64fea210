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

    private final java.util.Map<String, Integer> stallFrames = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile long oldestPending = 0;
    private volatile Thread fxThread;

    FxStallProbe() {
        Platform.runLater(() -> fxThread = Thread.currentThread());
        timer.scheduleAtFixedRate(() -> {
            long posted = System.nanoTime();
            long pending = oldestPending;
            if (pending != 0 && posted - pending > 60_000_000L && fxThread != null && Boolean.getBoolean("loupe.stallStacks")) {
                StackTraceElement[] st = fxThread.getStackTrace();
                StringBuilder key = new StringBuilder();
                int shown = 0;
                for (StackTraceElement f : st) {
                    String c = f.getClassName();
                    if (c.startsWith("java.") || c.startsWith("jdk.") || c.startsWith("sun.")) continue;
                    key.append(c.substring(c.lastIndexOf('.') + 1)).append('.').append(f.getMethodName()).append(" < ");
                    if (++shown == 6) break;
                }
                stallFrames.merge(key.toString(), 1, Integer::sum);
            }
            if (oldestPending == 0) oldestPending = posted;
            Platform.runLater(() -> {
                oldestPending = 0;
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
        if (!stallFrames.isEmpty()) {
            stallFrames.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue()).limit(12)
                    .forEach(e -> System.out.println("  FX busy (" + e.getValue() + " samples): " + e.getKey()));
        }
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "%d pulses, longest FX-thread delay %.1f ms, %d over %d ms", pulses(),
                maxMillis(), stalls(), STALL_MILLIS);
    }
}
