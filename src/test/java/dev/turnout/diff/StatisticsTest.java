package dev.turnout.diff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.Test;

/** Expected values from numpy 2 / scipy 1.17 (numpy.quantile, binomtest(...).proportion_ci("wilson"), mannwhitneyu). */
class StatisticsTest {

    @Test
    void shouldInterpolateQuantilesLikeNumpysDefault() {
        double[] oneToTen = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        assertThat(Statistics.quantile(oneToTen, 0.05)).isCloseTo(1.45, within(1e-12));
        assertThat(Statistics.quantile(oneToTen, 0.5)).isCloseTo(5.5, within(1e-12));
        assertThat(Statistics.quantile(oneToTen, 1.0)).isEqualTo(10);
        assertThat(Statistics.quantile(oneToTen, 0.0)).isEqualTo(1);
        double[] withTies = {1, 1, 3, 4, 5};
        assertThat(Statistics.quantile(withTies, 0.3)).isCloseTo(1.4, within(1e-12));
        assertThat(Statistics.quantile(withTies, 0.5)).isEqualTo(3);
        assertThat(Statistics.quantile(new double[] {2}, 0.05)).isEqualTo(2);
        assertThatThrownBy(() -> Statistics.quantile(new double[0], 0.5)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldCountValuesStrictlyBelowAThreshold() {
        double[] sorted = {0.1, 0.2, 0.2, 0.5, 0.9};
        assertThat(Statistics.countBelow(sorted, 0.2)).isEqualTo(1);
        assertThat(Statistics.countBelow(sorted, 0.21)).isEqualTo(3);
        assertThat(Statistics.countBelow(sorted, 0.0)).isZero();
        assertThat(Statistics.countBelow(sorted, 1.0)).isEqualTo(5);
    }

    @Test
    void shouldGiveTheWilsonScoreIntervalOfAProportion() {
        assertInterval(Statistics.wilson(29, 100), 0.21014835749122268, 0.38538891175571116);
        assertInterval(Statistics.wilson(56, 187), 0.23839356263845923, 0.36861007030658877);
        assertInterval(Statistics.wilson(0, 10), 0.0, 0.27753279986288926);
        assertInterval(Statistics.wilson(10, 10), 0.7224672001371109, 1.0);
        assertInterval(Statistics.wilson(1, 1), 0.20654931437723745, 1.0);
        assertThatThrownBy(() -> Statistics.wilson(1, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    private static void assertInterval(Statistics.Interval interval, double low, double high) {
        assertThat(interval.low()).isCloseTo(low, within(1e-9));
        assertThat(interval.high()).isCloseTo(high, within(1e-9));
    }

    @Test
    void shouldMatchScipysOneSidedMannWhitneyWithTiesOnASmallSample() {
        double[] candidate = {0.91, 0.85, 0.85, 0.60, 0.99, 0.72, 0.85, 0.50};
        double[] noise = {0.95, 0.85, 0.97, 0.99, 0.93, 0.90, 1.0, 1.0, 0.88};
        Statistics.MannWhitney test = Statistics.mannWhitneyLess(candidate, noise);
        assertThat(test.u()).isEqualTo(11.0);
        assertThat(test.z()).isCloseTo(-2.375041822680261, within(1e-5));
        assertThat(test.pValue()).isCloseTo(0.00877348094050602, Percentage.withPercentage(1e-3));
    }

    @Test
    void shouldMatchScipysMannWhitneyWithHeavyTiesAndASmallPValue() {
        double[] candidate = {0.6, 0.9, 0.8, 0.2, 0.3, 0.9, 0.0, 0.8, 0.8, 0.5, 0.3, 0.3, 0.3, 0.4, 0.5, 0.6, 1.0, 0.8, 0.6,
            1.0, 0.2, 0.2, 0.6, 0.0, 0.0, 0.5, 0.5, 0.9, 0.6, 0.5, 0.5, 0.2, 0.0, 0.2, 0.7, 0.2, 0.4, 0.0, 0.8, 0.2};
        double[] noise = {0.6, 0.9, 0.8, 0.9, 0.8, 0.9, 0.5, 0.8, 0.8, 0.9, 0.7, 0.8, 0.5, 0.7, 0.7, 0.6, 0.9, 0.7, 1.0, 0.8,
            0.8, 0.8, 0.8, 0.6, 0.7, 0.6, 0.7, 0.5, 1.0, 0.6, 0.8, 0.7, 0.9, 0.8, 0.6, 0.9, 1.0, 1.0, 0.8, 0.6, 0.6, 1.0, 0.8,
            0.6, 0.9, 0.8, 0.8, 0.7, 0.7, 0.6, 0.5, 0.9, 0.7, 0.8, 0.7, 0.9, 0.5, 0.7, 0.5, 0.6};
        Statistics.MannWhitney test = Statistics.mannWhitneyLess(candidate, noise);
        assertThat(test.u()).isEqualTo(548.5);
        assertThat(test.z()).isCloseTo(-4.627546340964656, within(1e-5));
        assertThat(test.pValue()).isCloseTo(1.8501172660002933e-06, Percentage.withPercentage(1e-3));
    }

    @Test
    void shouldSeeNothingWhenEveryValueIsTied() {
        Statistics.MannWhitney test = Statistics.mannWhitneyLess(new double[] {1, 1, 1}, new double[] {1, 1});
        assertThat(test.u()).isEqualTo(3.0);
        assertThat(test.pValue()).isEqualTo(1.0);
    }

    @Test
    void shouldKeepRelativePrecisionFarInTheNormalsLowerTail() {
        assertThat(Statistics.normalCdf(-1.0)).isCloseTo(0.15865525393145707, Percentage.withPercentage(1e-4));
        assertThat(Statistics.normalCdf(-5.0)).isCloseTo(2.866515718791933e-07, Percentage.withPercentage(1e-4));
        assertThat(Statistics.normalCdf(-8.0)).isCloseTo(6.22096057427174e-16, Percentage.withPercentage(1e-4));
        assertThat(Statistics.normalCdf(2.5)).isCloseTo(0.9937903346742238, Percentage.withPercentage(1e-4));
        assertThat(Statistics.normalCdf(0)).isCloseTo(0.5, within(1e-7));
    }
}
