package dev.loupe.eval;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * The process's peak resident memory (Linux {@code VmHWM} in {@code /proc/self/status}), which counts native
 * tensors, the Java heap and everything else, and its reset by writing {@code 5} to {@code /proc/self/clear_refs}.
 * Elsewhere (or when the kernel refuses the reset) it degrades gracefully: values are empty, or the peak counts from
 * process start, which {@link Measurement#sinceReset()} reports.
 */
public final class PeakMemory {
    private static final Path STATUS = Path.of("/proc/self/status");
    private static final Path CLEAR_REFS = Path.of("/proc/self/clear_refs");

    private PeakMemory() {}

    /** Peak resident set size in bytes, if the platform reports it. */
    public static OptionalLong peakBytes() {
        return field("VmHWM:");
    }

    /** Current resident set size in bytes, if the platform reports it. */
    public static OptionalLong currentBytes() {
        return field("VmRSS:");
    }

    /** Resets the peak to the current resident size; false when not supported. */
    public static boolean reset() {
        try {
            Files.writeString(CLEAR_REFS, "5", StandardCharsets.US_ASCII);
            return true;
        } catch (IOException | SecurityException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** A peak measured around some work; {@code peakBytes} is -1 when unknown. */
    public record Measurement(long peakBytes, long baselineBytes, boolean sinceReset) {
        public double peakMb() { return peakBytes < 0 ? Double.NaN : peakBytes / (1024.0 * 1024.0); }

        public double baselineMb() { return baselineBytes < 0 ? Double.NaN : baselineBytes / (1024.0 * 1024.0); }
    }

    /** Runs {@code work} and returns the process peak during it (from process start when the reset fails). */
    public static Measurement during(Runnable work) {
        System.gc();
        settle();
        boolean reset = reset();
        // the reset sets the peak to the resident size of that moment: that is the baseline, read before anything moves it
        long baseline = reset ? peakBytes().orElse(-1) : currentBytes().orElse(-1);
        work.run();
        return new Measurement(peakBytes().orElse(-1), baseline, reset);
    }

    /**
     * Waits (at most a second) until the resident size stops moving: after a collection the JVM returns heap to the
     * system in the background, and a shrink during the measured work would hide part of that work's own growth.
     */
    private static void settle() {
        long previous = currentBytes().orElse(-1);
        for (int i = 0; i < 50 && previous >= 0; i++) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            long now = currentBytes().orElse(-1);
            if (Math.abs(now - previous) < (1 << 20)) return;
            previous = now;
        }
    }

    private static OptionalLong field(String name) {
        try {
            for (String line : Files.readAllLines(STATUS, StandardCharsets.US_ASCII)) {
                if (line.startsWith(name)) {
                    String[] parts = line.substring(name.length()).trim().split("\\s+");
                    long value = Long.parseLong(parts[0]);
                    long unit = parts.length > 1 && parts[1].equalsIgnoreCase("kB") ? 1024 : 1;
                    return OptionalLong.of(value * unit);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or /proc unreadable
        }
        return OptionalLong.empty();
    }
}
