package dev.turnout.judge;

import dev.turnout.diff.Statistics.Interval;
import java.util.Locale;

/**
 * A rate criterion's verdict from {@link SequentialRateTest}.
 *
 * @param estimate  the candidate's share minus the baseline's (two versions) or the candidate's share
 *                  (against a fixed limit); 0 before any trial
 * @param threshold the tolerance the estimate is judged against: the allowed increase, or the allowed share
 * @param pValue    always valid: the running minimum over looks of 1/Λ, where Λ is the mixture
 *                  likelihood ratio against "the true value is at most the threshold"; stopping at the
 *                  first look where it falls below alpha keeps the false-failure rate below alpha
 * @param interval  a (1 − alpha) confidence <em>sequence</em> for the estimated quantity: it covers the
 *                  true value at every look at once with probability 1 − alpha (95% by default)
 */
public record RateJudgement(Decision decision, double estimate, double threshold, double pValue, Interval interval,
        String testName) implements Judgement {

    @Override
    public String summary() {
        return String.format(Locale.ROOT, "%s: estimate %.4f (%.4f to %.4f), threshold %.4f, p %.3g",
                decision.label(), estimate, interval.low(), interval.high(), threshold, pValue);
    }
}
