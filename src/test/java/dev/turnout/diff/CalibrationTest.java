package dev.turnout.diff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class CalibrationTest {

    /** A text pair as {@link ResponseDiffer} would measure it, not yet scored. */
    static DiffMetrics lexical(Verdict verdict) {
        return new DiffMetrics(verdict, 200, 200, null, null, false, verdict == Verdict.SAME, 0.7, 0.7, 0.7, true, true,
                List.of(), null, null, 1, 10, null, 0.9, null, DiffMetrics.DISABLED);
    }

    private static DiffMetrics noise(Calibration calibration, double similarity) {
        return calibration.judge("bot", "v1", true, lexical(Verdict.SIMILAR), similarity, DiffMetrics.SCORED);
    }

    private static DiffMetrics candidate(Calibration calibration, Verdict lexicalVerdict, double similarity) {
        return calibration.judge("bot", "v1", false, lexical(lexicalVerdict), similarity, DiffMetrics.SCORED);
    }

    @Test
    void shouldSayUncalibratedUntilThePrimaryHasEnoughScoredNoisePairs() {
        Calibration calibration = new Calibration(0.05, 30);
        for (int n = 0; n < 29; n++) noise(calibration, 0.9);
        DiffMetrics early = candidate(calibration, Verdict.DIFFERENT, 0.1);
        assertThat(early.verdict()).isEqualTo(Verdict.UNCALIBRATED);
        assertThat(early.similarity()).isEqualTo(0.1);
        assertThat(early.semanticStatus()).isEqualTo(DiffMetrics.SCORED);
        // The 30th noise pair is judged against the 29 before it: still uncalibrated.
        assertThat(noise(calibration, 0.95).verdict()).isEqualTo(Verdict.UNCALIBRATED);
        assertThat(candidate(calibration, Verdict.DIFFERENT, 0.1).verdict()).isEqualTo(Verdict.DIFFERENT);
    }

    @Test
    void shouldCallDifferentOnlyWhatFallsBelowTheNoiseQuantile() {
        Calibration calibration = new Calibration(0.05, 30);
        for (int n = 1; n <= 100; n++) noise(calibration, n / 100.0);
        // Type-7 5th percentile of 0.01..1.00: position 4.95, so 0.05 + 0.95 × 0.01 = 0.0595.
        assertThat(candidate(calibration, Verdict.SIMILAR, 0.059).verdict()).isEqualTo(Verdict.DIFFERENT);
        assertThat(candidate(calibration, Verdict.SIMILAR, 0.060).verdict()).isEqualTo(Verdict.SIMILAR);
        // A lexically different paraphrase within the noise is only similar; an equal text stays same.
        assertThat(candidate(calibration, Verdict.DIFFERENT, 0.7).verdict()).isEqualTo(Verdict.SIMILAR);
        assertThat(candidate(calibration, Verdict.SAME, 1.0).verdict()).isEqualTo(Verdict.SAME);
    }

    @Test
    void shouldKeepDisagreeingCallsDifferentWhateverTheSimilarity() {
        Calibration calibration = new Calibration(0.05, 1);
        noise(calibration, 0.5);
        DiffMetrics jsonBroken = new DiffMetrics(Verdict.DIFFERENT, 200, 200, null, null, false, false, 0.99, 0.99, 0.99,
                true, true, List.of(), true, false, 0, 0, null, 1.0, null, DiffMetrics.DISABLED);
        DiffMetrics judged = calibration.judge("bot", "v1", false, jsonBroken, 0.99, DiffMetrics.SCORED);
        assertThat(judged.verdict()).isEqualTo(Verdict.DIFFERENT);
        assertThat(judged.similarity()).isEqualTo(0.99);
    }

    @Test
    void shouldLeaveToolCallAnswersAndErrorsToTheirOwnComparison() {
        Calibration calibration = new Calibration(0.05, 1);
        noise(calibration, 0.5);
        DiffMetrics toolCalls = ResponseDifferTest.toolCallPair("get_weather", "get_time");
        assertThat(toolCalls.semanticApplicable()).isFalse();
        DiffMetrics judged = calibration.judge("bot", "v1", false, toolCalls, 0.99, DiffMetrics.SCORED);
        assertThat(judged.verdict()).isEqualTo(Verdict.DIFFERENT);
        assertThat(judged.similarity()).isNull();
        assertThat(judged.semanticStatus()).isEqualTo(DiffMetrics.NOT_APPLICABLE);

        DiffMetrics error = calibration.judge("bot", "v1", true, lexical(Verdict.ERROR), null, DiffMetrics.skipped("pool_full"));
        assertThat(error.verdict()).isEqualTo(Verdict.ERROR);
        assertThat(error.semanticStatus()).isEqualTo(DiffMetrics.NOT_APPLICABLE);
        assertThat(calibration.snapshot("bot", "v1").pairs()).isEqualTo(1); // the error did not join the floor
    }

    @Test
    void shouldKeepTheLexicalVerdictOfAnUnscoredPairAndSayWhy() {
        Calibration calibration = new Calibration(0.05, 1);
        DiffMetrics skipped = calibration.judge("bot", "v1", false, lexical(Verdict.DIFFERENT), null, DiffMetrics.skipped("pool_full"));
        assertThat(skipped.verdict()).isEqualTo(Verdict.DIFFERENT);
        assertThat(skipped.semanticStatus()).isEqualTo("skipped:pool_full");
        assertThat(skipped.toJson().get("semanticStatus").asText()).isEqualTo("skipped:pool_full");
        assertThat(skipped.toJson().get("similarity").isNull()).isTrue();
        assertThatThrownBy(() -> calibration.judge("bot", "v1", false, lexical(Verdict.SAME), 0.5, "disabled"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldCallAboutTheQuantileOfNoisePairsDifferentWhichIsTheFalseAlarmRate() {
        Calibration calibration = new Calibration(0.05, 30);
        Random random = new Random(42);
        int different = 0;
        int judged = 0;
        for (int n = 0; n < 5_000; n++) {
            Verdict verdict = noise(calibration, 1 - 0.3 * random.nextDouble() * random.nextDouble()).verdict();
            if (verdict == Verdict.UNCALIBRATED) continue;
            judged++;
            if (verdict == Verdict.DIFFERENT) different++;
        }
        assertThat(different / (double) judged).isBetween(0.035, 0.065);
    }

    @Test
    void shouldHoldAtMostMaxFloorsAndCountPairsOfFurtherPrimaries() {
        Calibration calibration = new Calibration(0.05, 1, 3);
        for (int primary = 0; primary < 5; primary++) {
            calibration.judge("bot", "v" + primary, true, lexical(Verdict.SAME), 1.0, DiffMetrics.SCORED);
        }
        DiffMetrics beyond = calibration.judge("bot", "v4", false, lexical(Verdict.SAME), 1.0, DiffMetrics.SCORED);
        assertThat(calibration.floors()).isEqualTo(3);
        assertThat(calibration.floorsOverflowed()).isEqualTo(3);
        assertThat(beyond.verdict()).isEqualTo(Verdict.UNCALIBRATED);
    }

    @Test
    void shouldHoldTheLatestWindowOfNoisePairsWhenJudgedConcurrently() throws Exception {
        Calibration calibration = new Calibration(0.05, 30);
        ExecutorService workers = Executors.newFixedThreadPool(4);
        try {
            List<Callable<Void>> tasks = new ArrayList<>();
            for (int worker = 0; worker < 4; worker++) {
                tasks.add(() -> {
                    for (int n = 0; n < 1_000; n++) {
                        noise(calibration, 0.9);
                        candidate(calibration, Verdict.SIMILAR, 0.95);
                    }
                    return null;
                });
            }
            for (Future<Void> done : workers.invokeAll(tasks)) done.get();
        } finally {
            workers.shutdownNow();
        }
        NoiseFloor.Snapshot snapshot = calibration.snapshot("bot", "v1");
        assertThat(snapshot.pairs()).isEqualTo(NoiseFloor.WINDOW);
        assertThat(snapshot.meanTokenF1()).isEqualTo(0.7, org.assertj.core.api.Assertions.within(1e-6));
        assertThat(snapshot.meanLengthRatio()).isEqualTo(0.9, org.assertj.core.api.Assertions.within(1e-6));
        assertThat(snapshot.finishAgreement()).isEqualTo(1.0);
    }

    @Test
    void shouldRejectSettingsThatCouldNeverCalibrate() {
        assertThatThrownBy(() -> new Calibration(0.05, NoiseFloor.WINDOW + 1)).hasMessageContaining("minNoisePairs");
        assertThatThrownBy(() -> new Calibration(1.5, 30)).hasMessageContaining("noiseQuantile");
    }
}
