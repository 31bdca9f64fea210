package dev.loupe.eval;

/**
 * Counts of (true class, predicted class) over labelled pixels or patches, and the segmentation scores made from
 * them: per-class IoU, mean IoU over the classes that occur (in the truth or the predictions), and accuracy.
 */
public final class ConfusionMatrix {
    private final int classes;
    private final long[] counts;

    public ConfusionMatrix(int classes) {
        if (classes < 1) throw new IllegalArgumentException("need at least one class, got " + classes);
        this.classes = classes;
        this.counts = new long[classes * classes];
    }

    public int classes() {
        return classes;
    }

    public void add(int truth, int predicted) {
        if (truth < 0 || truth >= classes || predicted < 0 || predicted >= classes) {
            throw new IllegalArgumentException("class out of range 0.." + (classes - 1) + ": truth " + truth + ", predicted " + predicted);
        }
        counts[truth * classes + predicted]++;
    }

    /** Adds every position of two equally long label arrays. */
    public void addAll(long[] truth, long[] predicted) {
        if (truth.length != predicted.length) {
            throw new IllegalArgumentException("label arrays differ in length: " + truth.length + " and " + predicted.length);
        }
        for (int i = 0; i < truth.length; i++) add((int) truth[i], (int) predicted[i]);
    }

    public long count(int truth, int predicted) {
        return counts[truth * classes + predicted];
    }

    public long total() {
        long n = 0;
        for (long c : counts) n += c;
        return n;
    }

    /** Intersection over union of class {@code c}, or NaN when it occurs neither in the truth nor in the predictions. */
    public double iou(int c) {
        long tp = count(c, c);
        long union = -tp;
        for (int k = 0; k < classes; k++) union += count(c, k) + count(k, c);
        return union == 0 ? Double.NaN : (double) tp / union;
    }

    /** Mean IoU over the classes that occur. */
    public double meanIou() {
        double sum = 0;
        int n = 0;
        for (int c = 0; c < classes; c++) {
            double v = iou(c);
            if (!Double.isNaN(v)) {
                sum += v;
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    /** Share of positions whose prediction is right. */
    public double accuracy() {
        long right = 0;
        for (int c = 0; c < classes; c++) right += count(c, c);
        long total = total();
        return total == 0 ? Double.NaN : (double) right / total;
    }
}
