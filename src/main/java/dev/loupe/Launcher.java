package dev.loupe;

/**
 * Plain entry point: sets the offline switches before anything touches DJL, then opens the workbench (no
 * arguments) or runs the command line. A plain class is needed because a classpath JavaFX application cannot
 * have its {@code Application} subclass as the main class.
 */
public final class Launcher {
    private Launcher() {}

    public static void main(String[] args) {
        Offline.enforce();
        if (args.length == 0) {
            dev.loupe.app.LoupeApp.open(args);
        } else {
            System.exit(dev.loupe.cli.LoupeCommand.run(args));
        }
    }
}
