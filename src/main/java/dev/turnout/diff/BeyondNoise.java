package dev.turnout.diff;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import java.util.Locale;

/**
 * Does a candidate differ from its primary by more than the primary differs from itself? The one
 * line an operator acts on, from the candidate's recent similarities and its primary's noise floor.
 *
 * <p>Decision rule:
 * <ul>
 *   <li>{@code not yet} while the candidate has fewer than {@link #MIN_CANDIDATE_PAIRS} scored pairs
 *       or the primary fewer than {@code minNoisePairs} scored noise pairs;</li>
 *   <li>{@code yes} when both hold: the one-sided Mann–Whitney test (candidate similarities lower
 *       than noise similarities) gives p &lt; {@link #ALPHA}, and the lower bound of the Wilson 95%
 *       interval of the share of candidate pairs below the floor exceeds {@code noiseQuantile}, the
 *       share that falls below it by chance;</li>
 *   <li>{@code no} otherwise.</li>
 * </ul>
 * Two tests, both required: the rank test alone flags a shift too small to matter once samples are
 * large; the share alone is fooled by a floor estimated from few noise pairs. Measured on synthetic
 * similarities (1 000 seeds, {@code BeyondNoiseTest}): a candidate that is the same model says
 * {@code yes} 0.2–1% of the time (the rank test alone would say it about 1% of the time), so five
 * independent ones all say {@code no} about 96% of the time or more; a candidate that contradicts
 * its primary on 30% of requests is caught at 150 scored pairs 97% of the time against 100 noise
 * pairs and 99.5% against 200 or more. The noise sample limits the rank test's power: with only the
 * minimum 30 noise pairs the same candidate is caught about 64% of the time, however many candidate
 * pairs there are (the test cannot be surer of the floor than its noise pairs allow).
 */
public record BeyondNoise(Decision decision, int scoredPairs, int noisePairs, double floor, double share,
                          Statistics.Interval ci95, Statistics.MannWhitney mannWhitney, String summary) {

    /** Scored candidate pairs needed before any answer but {@code not yet}. */
    public static final int MIN_CANDIDATE_PAIRS = 30;
    /** The rank test's one-sided significance level. */
    public static final double ALPHA = 0.01;

    public enum Decision {
        YES("yes"), NO("no"), NOT_YET("not yet");

        private final String label;

        Decision(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /**
     * @param candidate   the candidate's scored similarities (any order; not modified)
     * @param noiseSorted the primary's noise similarities, ascending
     */
    public static BeyondNoise of(double[] candidate, double[] noiseSorted, double noiseQuantile, int minNoisePairs) {
        int n = candidate.length;
        int noise = noiseSorted.length;
        if (n < MIN_CANDIDATE_PAIRS || noise < minNoisePairs || noise == 0) {
            String summary = String.format(Locale.ROOT, "differs beyond noise: not yet (%d of %d scored candidate pairs, "
                    + "%d of %d scored noise pairs)", n, MIN_CANDIDATE_PAIRS, noise, minNoisePairs);
            return new BeyondNoise(Decision.NOT_YET, n, noise, Double.NaN, Double.NaN, null, null, summary);
        }
        double floor = Statistics.quantile(noiseSorted, noiseQuantile);
        double[] sorted = candidate.clone();
        Arrays.sort(sorted);
        int below = Statistics.countBelow(sorted, floor);
        double share = below / (double) n;
        Statistics.Interval ci = Statistics.wilson(below, n);
        Statistics.MannWhitney test = Statistics.mannWhitneyLess(candidate, noiseSorted);
        Decision decision = test.pValue() < ALPHA && ci.low() > noiseQuantile ? Decision.YES : Decision.NO;
        String summary = String.format(Locale.ROOT, "differs beyond noise: %s (n=%d pairs, %d%% below the noise floor "
                        + "[%d%%, %d%%], %s)", decision.label(), n, percent(share), percent(ci.low()), percent(ci.high()),
                test.pValue() < 0.001 ? "p<0.001" : String.format(Locale.ROOT, "p=%.3f", test.pValue()));
        return new BeyondNoise(decision, n, noise, floor, share, ci, test, summary);
    }

    private static long percent(double share) {
        return Math.round(share * 100);
    }

    /** Adds {@code beyondNoise}, {@code mannWhitney}, {@code differsBeyondNoise} and {@code summary} to a report entry. */
    void addTo(ObjectNode entry) {
        ObjectNode beyond = entry.putObject("beyondNoise");
        ObjectNode test = entry.putObject("mannWhitney");
        if (decision == Decision.NOT_YET) {
            beyond.putNull("share").putNull("ci95").putNull("floor");
            test.putNull("u").putNull("z").putNull("pValue");
        } else {
            beyond.put("share", round(share));
            beyond.putArray("ci95").add(round(ci95.low())).add(round(ci95.high()));
            beyond.put("floor", round(floor));
            test.put("u", mannWhitney.u()).put("z", round(mannWhitney.z())).put("pValue", mannWhitney.pValue());
        }
        beyond.put("scoredPairs", scoredPairs);
        entry.put("differsBeyondNoise", decision.label()).put("summary", summary);
    }

    private static double round(double value) {
        return Math.round(value * 10_000) / 10_000.0;
    }
}
