package dev.loupe;

/**
 * DJL downloads engines and reports usage unless told not to. These switches must be set before any DJL class
 * is loaded, so every entry point calls {@link #enforce()} first (the tests get them from Surefire's argLine).
 */
public final class Offline {
    private Offline() {}

    public static void enforce() {
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("OPT_OUT_TRACKING", "true");
    }

    public static boolean isEnforced() {
        return "true".equals(System.getProperty("ai.djl.offline"))
                && ("true".equals(System.getProperty("OPT_OUT_TRACKING")) || "true".equals(System.getenv("OPT_OUT_TRACKING")));
    }
}
