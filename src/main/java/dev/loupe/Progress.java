package dev.loupe;

/**
 * How long work reports progress and learns that it should stop, without knowing whether a window or a terminal
 * is listening. Work checks {@link #isCancelled()} between steps and returns early when it is set.
 */
public interface Progress {
    /** @param fraction done so far in [0,1], or a negative value when unknown */
    void update(double fraction, String message);

    boolean isCancelled();

    Progress NONE = new Progress() {
        @Override
        public void update(double fraction, String message) {}

        @Override
        public boolean isCancelled() {
            return false;
        }
    };
}
