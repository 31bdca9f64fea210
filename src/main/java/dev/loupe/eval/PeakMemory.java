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
        boolean reset = reset();
        long baseline = currentBytes().orElse(-1);
        work.run();
        return new Measurement(peakBytes().orElse(-1), baseline, reset);
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
