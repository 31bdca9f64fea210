package dev.loupe.app.frontier;

import dev.loupe.Progress;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Adds the estimated time left to a long task's progress messages: elapsed time scaled by the fraction still to do
 * (measured from the first report with some progress, so loading the model does not count as search speed).
 */
public final class EtaProgress implements Progress {
    private final Progress delegate;
    private final LongSupplier clock;
    private long startNanos = -1;
    private double startFraction;

    public EtaProgress(Progress delegate) {
        this(delegate, System::nanoTime);
    }

    EtaProgress(Progress delegate, LongSupplier clock) {
        this.delegate = delegate;
        this.clock = clock;
    }

    @Override
    public void update(double fraction, String message) {
        delegate.update(fraction, message + eta(fraction));
    }

    String eta(double fraction) {
        if (!(fraction >= 0)) return "";
        long now = clock.getAsLong();
        if (startNanos < 0) {
            startNanos = now;
            startFraction = fraction;
            return "";
        }
        double done = fraction - startFraction;
        if (done <= 0 || fraction >= 1) return "";
        double leftSeconds = (now - startNanos) / 1e9 * (1 - fraction) / done;
        if (leftSeconds < 1) return "";
        return " · about " + duration(leftSeconds) + " left";
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        if (s < 60) return s + " s";
        if (s < 3600) return String.format(Locale.ROOT, "%d min %02d s", s / 60, s % 60);
        return String.format(Locale.ROOT, "%d h %02d min", s / 3600, (s % 3600) / 60);
    }

    @Override
    public boolean isCancelled() {
        return delegate.isCancelled();
    }
}
