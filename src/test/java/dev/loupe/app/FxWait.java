package dev.loupe.app;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.testfx.util.WaitForAsyncUtils;

/**
 * Reads the window's state from a TestFX test on the FX thread, because that is where the controllers' lists and
 * properties change: reading them from the test thread raced an add once (a ConcurrentModificationException in CI).
 */
final class FxWait {
    private FxWait() {
    }

    /** Polls {@code condition} on the FX thread until it is true, then lets the queued FX events run. */
    static void until(long seconds, Callable<Boolean> condition) {
        forValue(seconds, () -> condition.call() ? Boolean.TRUE : null);
    }

    /** Polls {@code value} on the FX thread until it is not null, lets the queued FX events run and returns it. */
    static <T> T forValue(long seconds, Callable<T> value) {
        AtomicReference<T> found = new AtomicReference<>();
        try {
            WaitForAsyncUtils.waitFor(seconds, TimeUnit.SECONDS, () -> {
                found.set(onFx(value));
                return found.get() != null;
            });
        } catch (TimeoutException e) {
            throw new AssertionError("timed out after " + seconds + " s", e);
        }
        WaitForAsyncUtils.waitForFxEvents();
        return found.get();
    }

    /** Evaluates {@code value} once on the FX thread. */
    static <T> T onFx(Callable<T> value) {
        try {
            return WaitForAsyncUtils.asyncFx(value).get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new AssertionError(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
