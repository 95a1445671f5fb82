package dev.turnout.judge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Point quantiles from numpy 2 ({@code numpy.quantile}, type 7); bootstrap decisions on seeded log-normal latencies. */
class QuantileRatioTestTest {

    private final QuantileRatioTest latencyP95 = QuantileRatioTest.of(0.95, 1.2);

    @Test
    void shouldReportTheQuantilesAndTheirRatioLikeNumpy() {
        RatioJudgement judgement = latencyP95.judge(oneTo(200), oneTo(100));
        assertThat(judgement.candidateQuantile()).isCloseTo(190.04999999999998, within(1e-9));
        assertThat(judgement.baselineQuantile()).isCloseTo(95.05, within(1e-9));
        assertThat(judgement.ratio()).isCloseTo(1.9994739610731194, within(1e-9));
        assertThat(judgement.interval().low()).isLessThanOrEqualTo(judgement.ratio());
        assertThat(judgement.interval().high()).isGreaterThanOrEqualTo(judgement.ratio());
        assertThat(judgement.decision()).isEqualTo(Decision.FAIL);
    }

    @Test
    void shouldFailACandidateHalfAgainAsSlow() {
        RatioJudgement judgement = latencyP95.judge(latencies(400, 1.5, 1), latencies(400, 1.0, 2));
        assertThat(judgement.decision()).as(judgement.summary()).isEqualTo(Decision.FAIL);
        assertThat(judgement.interval().low()).isGreaterThan(1.2);
    }

    @Test
    void shouldPassACandidateAsFastAsTheBaselineOnceSamplesAreLarge() {
        RatioJudgement judgement = latencyP95.judge(latencies(4000, 1.0, 3), latencies(4000, 1.0, 4));
        assertThat(judgement.decision()).as(judgement.summary()).isEqualTo(Decision.PASS);
        assertThat(judgement.interval().high()).isLessThanOrEqualTo(1.2);
    }

    @Test
    void shouldStayInconclusiveBelowTheMinimumSamplesEvenWhenTheRatioLooksBad() {
        RatioJudgement judgement = latencyP95.judge(latencies(50, 3.0, 5), latencies(50, 1.0, 6));
        assertThat(judgement.decision()).isEqualTo(Decision.INCONCLUSIVE);
        assertThat(judgement.ratio()).isGreaterThan(1.2);
    }

    @Test
    void shouldGiveTheSameJudgementForTheSameSamplesWhateverTheirOrder() {
        double[] candidate = latencies(300, 1.1, 7);
        double[] baseline = latencies(300, 1.0, 8);
        RatioJudgement first = latencyP95.judge(candidate, baseline);
        double[] reversed = new double[candidate.length];
        for (int i = 0; i < candidate.length; i++) reversed[i] = candidate[candidate.length - 1 - i];
        assertThat(latencyP95.judge(reversed, baseline)).isEqualTo(first);
    }

    @Test
    void shouldStayFiniteOnEmptyAndAllZeroSamples() {
        RatioJudgement empty = latencyP95.judge(new double[0], oneTo(10));
        assertThat(empty.decision()).isEqualTo(Decision.INCONCLUSIVE);
        assertThat(empty.ratio()).isEqualTo(1);
        QuantileRatioTest tokens = new QuantileRatioTest(0.5, 1.3, 0.005, 200, 1, 1);
        RatioJudgement zeros = tokens.judge(new double[] {0, 0, 0}, new double[] {0, 0});
        assertThat(zeros.ratio()).isEqualTo(1);
        assertThat(zeros.decision()).isEqualTo(Decision.PASS);
        RatioJudgement zeroBaseline = tokens.judge(new double[] {5, 6, 7}, new double[] {0, 0});
        assertThat(zeroBaseline.ratio()).isEqualTo(QuantileRatioTest.UNBOUNDED_RATIO);
        assertThat(zeroBaseline.decision()).isEqualTo(Decision.FAIL);
    }

    @Test
    void shouldRejectValuesThatAreNotDurationsOrCounts() {
        assertThatThrownBy(() -> latencyP95.judge(new double[] {1, Double.NaN}, oneTo(5))).hasMessageContaining("candidate sample holds NaN");
        assertThatThrownBy(() -> latencyP95.judge(oneTo(5), new double[] {-1})).hasMessageContaining("baseline sample holds -1");
        assertThatThrownBy(() -> QuantileRatioTest.of(0.95, 0)).hasMessageContaining("maxRatio");
    }

    private static double[] oneTo(int n) {
        double[] values = new double[n];
        for (int i = 0; i < n; i++) values[i] = i + 1;
        return values;
    }

    /** Log-normal latencies around 200 ms (σ 0.5 in log space), every value scaled by {@code factor}. */
    static double[] latencies(int n, double factor, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] values = new double[n];
        for (int i = 0; i < n; i++) values[i] = factor * 200 * Math.exp(0.5 * random.nextGaussian());
        return values;
    }
}
