package dev.turnout.diff;

import java.util.Arrays;

/**
 * One primary's scored noise pairs (the primary compared with itself asked again): the latest
 * {@link #WINDOW} pairs' similarity, token F1, length ratio and finish-reason agreement, in fixed
 * primitive rings (about 9 KiB, whatever the traffic). The similarity quantile is the floor that
 * candidate pairs are judged against. Thread-safe: semantic workers judge concurrently.
 */
final class NoiseFloor {

    static final int WINDOW = 512;

    /** What the report shows of a floor; {@code sortedSimilarities} ascending, means NaN when nothing was measured. */
    record Snapshot(double[] sortedSimilarities, double meanTokenF1, double meanLengthRatio, double finishAgreement) {

        static final Snapshot EMPTY = new Snapshot(new double[0], Double.NaN, Double.NaN, Double.NaN);

        int pairs() {
            return sortedSimilarities.length;
        }
    }

    private final double[] similarities = new double[WINDOW];
    private final float[] tokenF1s = new float[WINDOW];
    private final float[] lengthRatios = new float[WINDOW]; // NaN where the pair had none
    private final boolean[] finishEqual = new boolean[WINDOW];
    private int size;
    private int next;
    /** The held similarities sorted, rebuilt on the first read after a change: candidates outnumber noise pairs. */
    private double[] sorted = new double[0];
    private boolean sortedStale;

    /**
     * The floor as it stands (the {@code quantile} of the held similarities, or NaN while fewer than
     * {@code minPairs} are held), then, for a noise pair, the pair added. One lock for both, so a noise
     * pair is judged against the floor without itself, and two concurrent noise pairs each see a
     * consistent floor.
     */
    synchronized double floorThenAdd(double quantile, int minPairs, DiffMetrics noisePairOrNull, double similarity) {
        double floor = size < minPairs ? Double.NaN : Statistics.quantile(sorted(), quantile);
        if (noisePairOrNull != null) add(noisePairOrNull, similarity);
        return floor;
    }

    private void add(DiffMetrics pair, double similarity) {
        similarities[next] = similarity;
        tokenF1s[next] = (float) pair.tokenF1();
        lengthRatios[next] = pair.lengthRatio() == null ? Float.NaN : pair.lengthRatio().floatValue();
        finishEqual[next] = pair.finishReasonEqual();
        next = (next + 1) % WINDOW;
        if (size < WINDOW) size++;
        sortedStale = true;
    }

    private double[] sorted() {
        if (sortedStale || sorted.length != size) {
            sorted = Arrays.copyOf(similarities, size);
            Arrays.sort(sorted);
            sortedStale = false;
        }
        return sorted;
    }

    synchronized Snapshot snapshot() {
        if (size == 0) return Snapshot.EMPTY;
        double f1 = 0;
        double ratio = 0;
        int ratios = 0;
        int agreed = 0;
        for (int i = 0; i < size; i++) {
            f1 += tokenF1s[i];
            if (!Float.isNaN(lengthRatios[i])) {
                ratio += lengthRatios[i];
                ratios++;
            }
            if (finishEqual[i]) agreed++;
        }
        return new Snapshot(sorted().clone(), f1 / size, ratios == 0 ? Double.NaN : ratio / ratios, agreed / (double) size);
    }
}
