package dev.loupe.cli;

import dev.loupe.Progress;
import java.io.PrintStream;
import java.util.Locale;

/**
 * Progress for the command line: one line rewritten in place on a terminal, one line per update (rate-limited)
 * when the output is a file or a pipe, so logs stay readable. Ctrl-C is the way to cancel, so it never reports
 * cancellation.
 */
public final class ProgressLine implements Progress {
    private final PrintStream out;
    private final boolean terminal;
    private final long minIntervalNanos;
    private long last;
    private int lastLength;

    public ProgressLine(PrintStream out) {
        this(out, System.console() != null, 2_000_000_000L);
    }

    ProgressLine(PrintStream out, boolean terminal, long minIntervalNanos) {
        this.out = out;
        this.terminal = terminal;
        this.minIntervalNanos = minIntervalNanos;
    }

    @Override
    public synchronized void update(double fraction, String message) {
        long now = System.nanoTime();
        boolean done = fraction >= 1;
        if (!done && last != 0 && now - last < (terminal ? 100_000_000L : minIntervalNanos)) return;
        last = now;
        String line = fraction >= 0 ? String.format(Locale.ROOT, "[%3.0f%%] %s", 100 * fraction, message) : message;
        if (terminal) {
            out.print("\r" + line + " ".repeat(Math.max(0, lastLength - line.length())));
            if (done) out.println();
            lastLength = line.length();
        } else {
            out.println(line);
        }
        out.flush();
    }

    /** Ends an in-place line so that what follows starts on a fresh line. */
    public synchronized void finish() {
        if (terminal && lastLength > 0) out.println();
        lastLength = 0;
    }

    @Override
    public boolean isCancelled() {
        return false;
    }
}
