package dev.turnout.judge;

import dev.turnout.diff.Statistics.Interval;
import java.util.Locale;

/**
 * A distribution criterion's verdict from {@link QuantileRatioTest}.
 *
 * @param ratio    the candidate's quantile over the baseline's (1 when both are 0; {@link
 *                 QuantileRatioTest#UNBOUNDED_RATIO} when only the baseline's is 0)
 * @param interval the bootstrap interval of the ratio whose ends are each a one-sided bound at the
 *                 test's per-look level (99% by default): not a confidence sequence, see the test
 */
public record RatioJudgement(Decision decision, double candidateQuantile, double baselineQuantile, double ratio,
        double maxRatio, Interval interval, String testName) implements Judgement {

    @Override
    public String summary() {
        // A criterion not judged yet (its step's minimums not met) has no figures: say so, not "ratio NaN".
        if (Double.isNaN(ratio)) return String.format(Locale.ROOT, "%s: not judged yet (max %.3f), waiting for the step's minimums",
                decision.label(), maxRatio);
        return String.format(Locale.ROOT, "%s: ratio %.3f (%.3f to %.3f), candidate %.4g, baseline %.4g, max %.3f",
                decision.label(), ratio, interval.low(), interval.high(), candidateQuantile, baselineQuantile, maxRatio);
    }
}
