package dev.turnout.probe;

import dev.turnout.diff.Statistics;
import dev.turnout.diff.Statistics.Interval;
import dev.turnout.golden.Similarity;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Whether a version's run moved away from its baseline run, on two counts:
 * <ul>
 *   <li><b>pass rate</b>: drift when the run's 95% Wilson interval lies wholly below the baseline's:
 *       a fall that neither run's sampling error explains (with 20 items and a baseline at 100%,
 *       70% is not yet drift, 60% is; one unlucky item never is);</li>
 *   <li><b>answers</b>: for items whose check names an answer ({@code exact}, {@code semantic}), the
 *       baseline asked each twice, so it knows how much the version differs from itself on that item.
 *       An item's answer <em>moved</em> when it is less similar to the baseline's answer than the
 *       baseline's two answers are to each other, by more than {@link #MARGIN} (exact: the baseline
 *       answered the same twice, and now answers otherwise). Drift when at least
 *       {@link #MIN_MOVED} items and more than {@link #MAX_MOVED_SHARE} of the compared ones moved.</li>
 * </ul>
 * Pure; the similarity may block (the embedding model), so callers run it off the event loops.
 */
public final class Drift {

    static final double MARGIN = 0.1;
    static final int MIN_MOVED = 2;
    static final double MAX_MOVED_SHARE = 0.2;

    /** How a run compares with its baseline. */
    public record Verdict(boolean drifted, String baselineRun, double baselinePassRate, double passRate, Interval passRateInterval,
            int comparedAnswers, int movedAnswers, String reason) {}

    private Drift() {}

    public static Verdict judge(String baselineRun, VersionRun baseline, VersionRun current, Similarity similarity) {
        double baselineRate = baseline.passRate();
        Interval interval = current.asked() == 0 ? new Interval(0, 1) : Statistics.wilson(current.passed(), current.asked());
        Interval baselineInterval = baseline.asked() == 0 ? new Interval(0, 1) : Statistics.wilson(baseline.passed(), baseline.asked());
        boolean rateFell = current.asked() > 0 && interval.high() < baselineInterval.low();
        Map<String, ItemOutcome> before = new HashMap<>();
        baseline.outcomes().forEach(outcome -> before.put(outcome.id(), outcome));
        int compared = 0;
        int moved = 0;
        for (ItemOutcome now : current.outcomes()) {
            ItemOutcome then = before.get(now.id());
            if (now.skipped() || then == null || then.skipped() || !now.compared() || then.repeat() == null) continue;
            // Without the embedding model there is no measure of a semantic move: those items are not compared.
            if (now.kind().equals("semantic") && similarity == Similarity.NONE) continue;
            compared++;
            if (moved(then, now, similarity)) moved++;
        }
        boolean answersMoved = moved >= MIN_MOVED && moved > MAX_MOVED_SHARE * compared;
        String reason;
        if (rateFell) {
            reason = String.format(Locale.ROOT, "pass rate %.1f%% (95%% interval %.1f%% to %.1f%%) is below the baseline's %.1f%%"
                    + " (interval from %.1f%%)", 100 * current.passRate(), 100 * interval.low(), 100 * interval.high(),
                    100 * baselineRate, 100 * baselineInterval.low());
        } else if (answersMoved) {
            reason = moved + " of " + compared + " compared answers moved away from the baseline's beyond the version's own noise";
        } else {
            reason = String.format(Locale.ROOT, "within the baseline: pass rate %.1f%% against %.1f%%, %d of %d compared answers moved",
                    100 * current.passRate(), 100 * baselineRate, moved, compared);
        }
        return new Verdict(rateFell || answersMoved, baselineRun, baselineRate, current.passRate(), interval, compared, moved, reason);
    }

    private static boolean moved(ItemOutcome then, ItemOutcome now, Similarity similarity) {
        if (now.kind().equals("exact")) {
            return then.answer().equals(then.repeat()) && !now.answer().equals(then.answer());
        }
        double noise = similarity.between(then.answer(), then.repeat());
        double distance = similarity.between(then.answer(), now.answer());
        return distance < noise - MARGIN;
    }
}
