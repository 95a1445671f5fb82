package dev.turnout.judge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.Test;

/**
 * Expected values from scipy 1.17: the p-value by numerical integration of the half-normal mixture
 * ({@code integrate.quad} of 2·φ(u; 0, τ)·exp((uδ − u²/2)/V) over u &gt; 0), the confidence sequence
 * from the closed form, checked to put the symmetric mixture's ratio at exactly 1/α at its ends.
 */
class SequentialRateTestTest {

    private final SequentialRateTest errorRate = SequentialRateTest.increaseAtMost(0.01);

    @Test
    void shouldMatchTheMixtureIntegralAndItsConfidenceSequence() {
        RateJudgement moderate = errorRate.judge(new RateEvidence(1000, 40, 1000, 10));
        assertThat(moderate.estimate()).isCloseTo(0.03, within(1e-12));
        assertThat(moderate.pValue()).isCloseTo(0.06121366038948332, Percentage.withPercentage(1e-3));
        assertThat(moderate.interval().low()).isCloseTo(0.006911198747151903, within(1e-9));
        assertThat(moderate.interval().high()).isCloseTo(0.053088801252848095, within(1e-9));
        assertThat(moderate.decision()).isEqualTo(Decision.INCONCLUSIVE);

        RateJudgement strong = errorRate.judge(new RateEvidence(5000, 150, 5000, 50));
        assertThat(strong.pValue()).isCloseTo(0.0051391471034847504, Percentage.withPercentage(1e-3));
        assertThat(strong.interval().low()).isCloseTo(0.01144891134908102, within(1e-9));
        assertThat(strong.decision()).isEqualTo(Decision.FAIL);
    }

    @Test
    void shouldJudgeAShareAgainstAFixedLimitThroughTheSameTest() {
        RateJudgement beyondNoise = SequentialRateTest.shareAtMost(0.1).judge(RateEvidence.candidateOnly(500, 80));
        assertThat(beyondNoise.estimate()).isCloseTo(0.16, within(1e-12));
        assertThat(beyondNoise.pValue()).isCloseTo(0.004745600798438789, Percentage.withPercentage(1e-3));
        assertThat(beyondNoise.interval().low()).isCloseTo(0.10826846140254175, within(1e-9));
        assertThat(beyondNoise.interval().high()).isCloseTo(0.21173153859745825, within(1e-9));
        assertThat(beyondNoise.decision()).isEqualTo(Decision.FAIL);
        assertThat(beyondNoise.testName()).contains("one proportion");
    }

    @Test
    void shouldPassOnlyOnceTheConfidenceSequenceIsBelowTheAllowedIncrease() {
        RateJudgement alike = errorRate.judge(new RateEvidence(2000, 20, 2000, 20));
        assertThat(alike.interval().high()).isCloseTo(0.009784073648495695, within(1e-9));
        assertThat(alike.pValue()).isEqualTo(1);
        assertThat(alike.decision()).isEqualTo(Decision.PASS);
        RateJudgement tooEarly = errorRate.judge(new RateEvidence(500, 5, 500, 5));
        assertThat(tooEarly.decision()).isEqualTo(Decision.INCONCLUSIVE);
    }

    @Test
    void shouldNotPassBeforeTheMinimumTrialsEvenOnACleanRecord() {
        SequentialRateTest lenient = SequentialRateTest.shareAtMost(0.5).withMinTrials(100);
        assertThat(lenient.judge(RateEvidence.candidateOnly(60, 0)).decision()).isEqualTo(Decision.INCONCLUSIVE);
        assertThat(lenient.judge(RateEvidence.candidateOnly(100, 0)).decision()).isEqualTo(Decision.PASS);
    }

    @Test
    void shouldKeepTheSmallestPValueAcrossLooks() {
        RateJudgement earlier = errorRate.judge(new RateEvidence(1000, 40, 1000, 10));
        RateJudgement later = errorRate.judge(new RateEvidence(1100, 40, 1100, 12), earlier);
        RateJudgement laterAlone = errorRate.judge(new RateEvidence(1100, 40, 1100, 12));
        assertThat(laterAlone.pValue()).isGreaterThan(earlier.pValue());
        assertThat(later.pValue()).isEqualTo(earlier.pValue());
    }

    @Test
    void shouldStayInconclusiveAndFiniteOnNoOrTinyOrExtremeEvidence() {
        RateJudgement[] judgements = {
            errorRate.judge(new RateEvidence(0, 0, 0, 0)),
            errorRate.judge(new RateEvidence(10, 0, 0, 0)),
            errorRate.judge(new RateEvidence(3, 3, 3, 0)),
            errorRate.judge(new RateEvidence(20, 0, 20, 0)),
            errorRate.judge(new RateEvidence(1, 0, 1, 1)),
            SequentialRateTest.shareAtMost(0).judge(RateEvidence.candidateOnly(5, 5)),
            SequentialRateTest.shareAtMost(0.1).judge(RateEvidence.candidateOnly(0, 0)),
        };
        for (RateJudgement judgement : judgements) {
            assertThat(judgement.decision()).as(judgement.summary()).isEqualTo(Decision.INCONCLUSIVE);
            assertFinite(judgement);
        }
        assertThat(judgements[0].interval().low()).isEqualTo(-1);
        assertThat(judgements[0].pValue()).isEqualTo(1);
    }

    @Test
    void shouldFailOverwhelmingEvidenceWithAFinitePValue() {
        RateJudgement allErrors = errorRate.judge(new RateEvidence(100_000, 100_000, 100_000, 0));
        assertThat(allErrors.decision()).isEqualTo(Decision.FAIL);
        assertThat(allErrors.estimate()).isEqualTo(1);
        assertFinite(allErrors);
        RateJudgement farBelow = errorRate.judge(new RateEvidence(100_000, 0, 100_000, 100_000));
        assertThat(farBelow.pValue()).isEqualTo(1);
        assertThat(farBelow.decision()).isEqualTo(Decision.PASS);
        assertFinite(farBelow);
    }

    @Test
    void shouldRejectImpossibleCountsAndSettings() {
        assertThatThrownBy(() -> new RateEvidence(10, 11, 0, 0)).hasMessageContaining("candidateEvents: 11");
        assertThatThrownBy(() -> new RateEvidence(10, 1, -1, 0)).hasMessageContaining("baselineTrials");
        assertThatThrownBy(() -> SequentialRateTest.shareAtMost(0.1).judge(new RateEvidence(10, 1, 10, 1)))
                .hasMessageContaining("candidateOnly");
        assertThatThrownBy(() -> SequentialRateTest.increaseAtMost(-0.1)).hasMessageContaining("threshold");
        assertThatThrownBy(() -> errorRate.withAlpha(0)).hasMessageContaining("alpha");
    }

    private static void assertFinite(RateJudgement judgement) {
        assertThat(judgement.estimate()).isFinite();
        assertThat(judgement.pValue()).isFinite().isBetween(0.0, 1.0);
        assertThat(judgement.interval().low()).isFinite();
        assertThat(judgement.interval().high()).isFinite();
        assertThat(judgement.interval().low()).isLessThanOrEqualTo(judgement.interval().high());
    }
}
