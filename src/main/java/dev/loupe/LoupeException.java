package dev.loupe;

/**
 * A problem the user can act on: the message names the file (or input) and what is wrong with it, and is shown
 * as is, without a stack trace, by the CLI and the workbench.
 */
public class LoupeException extends RuntimeException {
    public LoupeException(String message) {
        super(message);
    }

    public LoupeException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The message a user sees for any failure: ours as is, anything else with its type. */
    public static String userMessage(Throwable ex) {
        Throwable t = ex;
        while (!(t instanceof LoupeException) && t.getCause() != null && t.getCause() != t) t = t.getCause();
        if (t instanceof LoupeException) return t.getMessage();
        if (ex instanceof java.io.IOException || ex instanceof java.io.UncheckedIOException) {
            return "I/O error: " + ex.getMessage();
        }
        String m = ex.getMessage();
        return ex.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }
}
