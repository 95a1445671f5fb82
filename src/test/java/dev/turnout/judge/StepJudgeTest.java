package dev.turnout.judge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.turnout.diff.Statistics.Interval;
import dev.turnout.judge.StepDecision.Outcome;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class StepJudgeTest {

    private final StepMinimums minimums = StepMinimums.of(200, 60, 900);

    @Test
    void shouldFailAsSoonAsOneCriterionFailsEvenBeforeTheMinimums() {
        StepDecision decision = StepJudge.judge(minimums, 50, Duration.ofSeconds(5),
                List.of(criterion("errorRate", Decision.FAIL), criterion("latencyP95", Decision.INCONCLUSIVE)));
        assertThat(decision.outcome()).isEqualTo(Outcome.FAIL);
        assertThat(decision.reason()).startsWith("failed: errorRate (fail: estimate");
        assertThat(decision.criteria()).hasSize(2);
    }

    @Test
    void shouldPassOnlyWhenEveryCriterionPassedAndTheMinimumsAreMet() {
        List<CriterionJudgement> allPass = List.of(criterion("errorRate", Decision.PASS), criterion("latencyP95", Decision.PASS));
        assertThat(StepJudge.judge(minimums, 250, Duration.ofSeconds(61), allPass).outcome()).isEqualTo(Outcome.PASS);
        StepDecision tooFewRequests = StepJudge.judge(minimums, 150, Duration.ofSeconds(61), allPass);
        assertThat(tooFewRequests.outcome()).isEqualTo(Outcome.INCONCLUSIVE);
        assertThat(tooFewRequests.reason()).isEqualTo("waiting for minRequests 200 (have 150)");
        StepDecision tooSoon = StepJudge.judge(minimums, 250, Duration.ofSeconds(30), allPass);
        assertThat(tooSoon.reason()).isEqualTo("waiting for minSeconds 60 (at 30)");
    }

    @Test
    void shouldTimeOutWhenStillInconclusiveAtMaxSeconds() {
        List<CriterionJudgement> oneUndecided = List.of(criterion("errorRate", Decision.PASS), criterion("ttftP95", Decision.INCONCLUSIVE));
        assertThat(StepJudge.judge(minimums, 5000, Duration.ofSeconds(899), oneUndecided).outcome()).isEqualTo(Outcome.INCONCLUSIVE);
        StepDecision late = StepJudge.judge(minimums, 5000, Duration.ofSeconds(900), oneUndecided);
        assertThat(late.outcome()).isEqualTo(Outcome.TIMED_OUT);
        assertThat(late.reason()).startsWith("no decision after maxSeconds 900: inconclusive: ttftP95 (");
        StepDecision starved = StepJudge.judge(minimums, 10, Duration.ofSeconds(901), List.of());
        assertThat(starved.outcome()).isEqualTo(Outcome.TIMED_OUT);
        assertThat(starved.reason()).contains("minRequests 200 (have 10)");
    }

    @Test
    void shouldPassAStepWithoutCriteriaOnItsMinimums() {
        assertThat(StepJudge.judge(minimums, 200, Duration.ofSeconds(60), List.of()).outcome()).isEqualTo(Outcome.PASS);
    }

    @Test
    void shouldCombineRealJudgements() {
        RateJudgement errors = SequentialRateTest.increaseAtMost(0.01).judge(new RateEvidence(5000, 150, 5000, 50));
        RatioJudgement latency = QuantileRatioTest.of(0.95, 1.2).judge(new double[] {1, 2, 3}, new double[] {1, 2, 3});
        StepDecision decision = StepJudge.judge(minimums, 5000, Duration.ofSeconds(120),
                List.of(new CriterionJudgement("errorRate", errors), new CriterionJudgement("latencyP95", latency)));
        assertThat(decision.outcome()).isEqualTo(Outcome.FAIL);
        assertThat(decision.reason()).contains("errorRate").doesNotContain("latencyP95");
    }

    @Test
    void shouldRejectAMaximumBelowTheMinimum() {
        assertThatThrownBy(() -> StepMinimums.of(1, 60, 30)).hasMessageContaining("maxSeconds: 30 (expected: >= minSeconds = 60)");
    }

    private static CriterionJudgement criterion(String name, Decision decision) {
        return new CriterionJudgement(name, new RateJudgement(decision, 0.001, 0.01, 0.5, new Interval(-0.01, 0.012), "stub"));
    }
}
