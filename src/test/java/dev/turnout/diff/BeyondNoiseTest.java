package dev.turnout.diff;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The yes / no / not-yet rule on synthetic similarities with a known truth. */
class BeyondNoiseTest {

    private static final double QUANTILE = Calibration.DEFAULT_NOISE_QUANTILE;
    private static final int MIN_NOISE = Calibration.DEFAULT_MIN_NOISE_PAIRS;

    /**
     * Similarities of one model asked twice: a quarter of answers word for word equal (exactly 1.0,
     * ties), the rest paraphrases skewed towards 1.
     */
    private static double noiseLike(Random random) {
        if (random.nextDouble() < 0.25) return 1.0;
        return 1 - 0.35 * random.nextDouble() * random.nextDouble();
    }

    private static double[] draw(Random random, int n, double contradictionShare) {
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            // A contradiction: a different answer altogether, far below anything the noise produces.
            values[i] = random.nextDouble() < contradictionShare ? 0.2 + 0.3 * random.nextDouble() : noiseLike(random);
        }
        return values;
    }

    private static BeyondNoise judge(double[] candidate, double[] noise) {
        double[] sorted = noise.clone();
        Arrays.sort(sorted);
        return BeyondNoise.of(candidate, sorted, QUANTILE, MIN_NOISE);
    }

    private static int yesCount(int seeds, int noisePairs, int candidatePairs, double contradictionShare) {
        int yes = 0;
        for (int seed = 0; seed < seeds; seed++) {
            Random random = new Random(seed);
            double[] noise = draw(random, noisePairs, 0);
            if (judge(draw(random, candidatePairs, contradictionShare), noise).decision() == BeyondNoise.Decision.YES) yes++;
        }
        return yes;
    }

    @Test
    void shouldRarelyRaiseAFalseAlarmForACandidateThatIsTheSameModel() {
        // 200 seeds each: at most 2% say yes, with a long-lived floor or one just past its minimum.
        assertThat(yesCount(200, 200, 150, 0)).isLessThanOrEqualTo(4);
        assertThat(yesCount(200, MIN_NOISE, 150, 0)).isLessThanOrEqualTo(4);
        assertThat(yesCount(200, NoiseFloor.WINDOW, NoiseFloor.WINDOW, 0)).isLessThanOrEqualTo(4);
    }

    @Test
    void shouldCatchACandidateThatContradictsThirtyPercentOfTheTimeWithin150Pairs() {
        // Against an established floor (200 or 512 noise pairs) nearly always (measured: 99.5% of
        // 1 000 seeds); with 100 noise pairs about 97%. The noise sample bounds the rank test's power:
        // with only the minimum 30 noise pairs about 64% (see BeyondNoise's javadoc).
        assertThat(yesCount(200, 200, 150, 0.30)).isGreaterThanOrEqualTo(196);
        assertThat(yesCount(200, NoiseFloor.WINDOW, 150, 0.30)).isGreaterThanOrEqualTo(196);
        assertThat(yesCount(200, 100, 200, 0.30)).isGreaterThanOrEqualTo(190);
    }

    @Test
    void shouldReportTheFiguresBehindAYes() {
        Random random = new Random(3);
        BeyondNoise result = judge(draw(random, 187, 0.30), draw(random, 200, 0));
        assertThat(result.decision()).isEqualTo(BeyondNoise.Decision.YES);
        assertThat(result.scoredPairs()).isEqualTo(187);
        assertThat(result.share()).isBetween(0.25, 0.45);
        assertThat(result.ci95().low()).isGreaterThan(QUANTILE).isLessThan(result.share());
        assertThat(result.mannWhitney().pValue()).isLessThan(0.001);
        assertThat(result.mannWhitney().z()).isNegative();
        assertThat(result.summary()).startsWith("differs beyond noise: yes (n=187 pairs, ")
                .contains("% below the noise floor [").endsWith("p<0.001)");
    }

    @Test
    void shouldSayNotYetUntilBothSidesHaveEnoughScoredPairs() {
        Random random = new Random(5);
        double[] noise = draw(random, 100, 0);
        BeyondNoise fewCandidates = judge(draw(random, BeyondNoise.MIN_CANDIDATE_PAIRS - 1, 1.0), noise);
        assertThat(fewCandidates.decision()).isEqualTo(BeyondNoise.Decision.NOT_YET);
        assertThat(fewCandidates.summary()).isEqualTo("differs beyond noise: not yet (29 of 30 scored candidate pairs, "
                + "100 of 30 scored noise pairs)");
        BeyondNoise fewNoise = judge(draw(random, 500, 1.0), draw(random, MIN_NOISE - 1, 0));
        assertThat(fewNoise.decision()).isEqualTo(BeyondNoise.Decision.NOT_YET);
        assertThat(judge(draw(random, BeyondNoise.MIN_CANDIDATE_PAIRS, 1.0), noise).decision())
                .isEqualTo(BeyondNoise.Decision.YES);
    }

    @Test
    void shouldSayNoForACandidateCloserThanTheNoise() {
        double[] noise = draw(new Random(9), 100, 0);
        double[] identical = new double[100];
        Arrays.fill(identical, 1.0);
        BeyondNoise result = judge(identical, noise);
        assertThat(result.decision()).isEqualTo(BeyondNoise.Decision.NO);
        assertThat(result.share()).isZero();
        assertThat(result.summary()).startsWith("differs beyond noise: no (n=100 pairs, 0% below the noise floor [0%, ");
    }
}
