package dev.turnout.judge;

import java.util.List;
import java.util.Locale;

/** What {@link StepJudge} concluded about a step at one look, with every criterion's verdict and why. */
public record StepDecision(Outcome outcome, List<CriterionJudgement> criteria, String reason) {

    public enum Outcome {
        /** Every criterion passed and the minimums are met: the engine moves to the next step. */
        PASS,
        /** A criterion failed: {@code onFailure} applies at once. */
        FAIL,
        /** Keep gathering evidence. */
        INCONCLUSIVE,
        /** {@code maxSeconds} passed without a decision: {@code onFailure} applies. */
        TIMED_OUT;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public StepDecision {
        criteria = List.copyOf(criteria);
    }
}
