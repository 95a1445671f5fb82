package dev.turnout.diff;

import java.util.Arrays;

/**
 * The few statistics the calibrated report needs, pure and allocation-light. Samples are at most a
 * ring's worth (hundreds of values), so exact sorting is cheap and no streaming estimate is needed.
 */
public final class Statistics {

    /** The two-sided 95% normal quantile, Φ⁻¹(0.975). */
    static final double Z95 = 1.959963984540054;

    private Statistics() {}

    /** A proportion's 95% interval. */
    public record Interval(double low, double high) {}

    /**
     * @param u      the candidate sample's U: pairs (candidate, noise) where the candidate is higher,
     *               ties counting one half; n₁·n₂/2 when the two samples are alike
     * @param z      the normal score of u, continuity-corrected toward the mean; negative when the
     *               candidate is lower
     * @param pValue one-sided: the chance of a u this low or lower if both samples came from one
     *               distribution
     */
    public record MannWhitney(double u, double z, double pValue) {}

    /**
     * The q-quantile of {@code sorted} (ascending, not empty) by linear interpolation between order
     * statistics: Hyndman and Fan's type 7, the default of R and numpy. Position h = (n − 1)·q,
     * value x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋ + 1] − x[⌊h⌋]).
     */
    public static double quantile(double[] sorted, double q) {
        if (sorted.length == 0) throw new IllegalArgumentException("quantile of an empty sample");
        if (q < 0 || q > 1) throw new IllegalArgumentException("q: " + q + " (expected: in [0, 1])");
        double position = (sorted.length - 1) * q;
        int below = (int) Math.floor(position);
        if (below + 1 >= sorted.length) return sorted[sorted.length - 1];
        return sorted[below] + (position - below) * (sorted[below + 1] - sorted[below]);
    }

    /** How many of {@code sorted} (ascending) are strictly below {@code threshold}. */
    public static int countBelow(double[] sorted, double threshold) {
        int low = 0;
        int high = sorted.length;
        while (low < high) {
            int middle = (low + high) >>> 1;
            if (sorted[middle] < threshold) low = middle + 1;
            else high = middle;
        }
        return low;
    }

    public static double mean(double[] values) {
        if (values.length == 0) return Double.NaN;
        double sum = 0;
        for (double value : values) sum += value;
        return sum / values.length;
    }

    /**
     * The Wilson score 95% interval for {@code successes} out of {@code trials}: unlike the normal
     * (Wald) interval it stays inside [0, 1] and keeps its coverage for shares near 0 or 1 and for
     * small samples, which is where a noise floor's 5% lives.
     */
    public static Interval wilson(long successes, long trials) {
        if (trials <= 0) throw new IllegalArgumentException("trials: " + trials + " (expected: > 0)");
        if (successes < 0 || successes > trials) {
            throw new IllegalArgumentException("successes: " + successes + " (expected: in [0, " + trials + "])");
        }
        double n = trials;
        double p = successes / n;
        double z2 = Z95 * Z95;
        double denominator = 1 + z2 / n;
        double center = (p + z2 / (2 * n)) / denominator;
        double half = Z95 / denominator * Math.sqrt(p * (1 - p) / n + z2 / (4 * n * n));
        return new Interval(Math.max(0, center - half), Math.min(1, center + half));
    }

    /**
     * Mann–Whitney U, one-sided, by the normal approximation with the tie correction and a
     * continuity correction (as scipy's {@code mannwhitneyu(candidate, noise, alternative="less",
     * method="asymptotic")}): is the candidate sample stochastically lower than the noise sample?
     * Ranks use mid-ranks for ties, which matter here: identical answers all score 1.0. Exact
     * enough from about 10 values a side; the decision rule asks for 30.
     */
    public static MannWhitney mannWhitneyLess(double[] candidate, double[] noise) {
        int n1 = candidate.length;
        int n2 = noise.length;
        if (n1 == 0 || n2 == 0) throw new IllegalArgumentException("Mann-Whitney needs both samples non-empty");
        double[] values = new double[n1 + n2];
        boolean[] fromCandidate = new boolean[n1 + n2];
        Integer[] order = new Integer[n1 + n2];
        for (int i = 0; i < n1; i++) {
            values[i] = candidate[i];
            fromCandidate[i] = true;
        }
        System.arraycopy(noise, 0, values, n1, n2);
        for (int i = 0; i < order.length; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Double.compare(values[a], values[b]));
        double candidateRankSum = 0;
        double tieTerm = 0; // Σ (t³ − t) over groups of t tied values
        int n = n1 + n2;
        for (int start = 0; start < n; ) {
            int end = start;
            while (end + 1 < n && values[order[end + 1]] == values[order[start]]) end++;
            double midRank = (start + end) / 2.0 + 1; // ranks are 1-based
            for (int k = start; k <= end; k++) if (fromCandidate[order[k]]) candidateRankSum += midRank;
            double tied = end - start + 1;
            tieTerm += tied * tied * tied - tied;
            start = end + 1;
        }
        double u = candidateRankSum - n1 * (n1 + 1) / 2.0;
        double mean = n1 * (double) n2 / 2;
        double variance = n1 * (double) n2 / 12 * ((n + 1) - tieTerm / (n * (double) (n - 1)));
        if (variance <= 0) return new MannWhitney(u, 0, 1); // every value tied: nothing tells the samples apart
        // Continuity: U moves in steps of 1/2 at least; the lower tail is taken at u + 1/2.
        double z = (u - mean + 0.5) / Math.sqrt(variance);
        return new MannWhitney(u, z, normalCdf(z));
    }

    /** Φ(z), accurate to a relative 1.2·10⁻⁷ also far in the lower tail (p-values of 10⁻¹⁰ stay meaningful). */
    public static double normalCdf(double z) {
        return 0.5 * erfc(-z / Math.sqrt(2));
    }

    /**
     * The complementary error function by Chebyshev fitting (Numerical Recipes' {@code erfcc}),
     * fractional error below 1.2·10⁻⁷ everywhere: relative, so small tail probabilities keep their
     * digits where {@code 1 - erf} would cancel them away.
     */
    static double erfc(double x) {
        double z = Math.abs(x);
        double t = 1 / (1 + 0.5 * z);
        double result = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? result : 2 - result;
    }
}
