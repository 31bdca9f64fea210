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
}
