package dev.turnout.rollout.engine;

import static java.util.Objects.requireNonNull;

/**
 * A criterion at the latest look, as {@code GET /admin/rollouts/{id}} shows it: the candidate's
 * and the baseline's figures, the estimate with its interval, the test, and its decision.
 *
 * @param candidate the candidate's figure: its error rate, beyond-noise share, p95 in ms, or median tokens
 * @param baseline  the baseline's figure for the same quantity; NaN where the criterion has none (beyondNoise)
 * @param estimate  what is compared with the threshold: the rate difference, the share, or the ratio
 * @param pValue    the always-valid p-value of a rate criterion; NaN for the distribution criteria
 */
public record CriterionStatus(String criterion, double threshold, String decision, String test, double candidate,
        double baseline, double estimate, double low, double high, double pValue, String summary) {
    public CriterionStatus {
        requireNonNull(criterion, "criterion");
        requireNonNull(decision, "decision");
        test = test == null ? "" : test;
        summary = summary == null ? "" : summary;
    }
}
