package dev.turnout.judge;

import java.util.Objects;

/** A criterion's name as the rollout declares it ({@code errorRate}, {@code latencyP95}, …) and its verdict. */
public record CriterionJudgement(String criterion, Judgement judgement) {

    public CriterionJudgement {
        Objects.requireNonNull(criterion, "criterion");
        Objects.requireNonNull(judgement, "judgement");
    }

    public Decision decision() {
        return judgement.decision();
    }
}
