package dev.turnout.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class StepWeightsTest {

    private static Map<String, Double> split(Object... versionsAndWeights) {
        Map<String, Double> split = new LinkedHashMap<>();
        for (int i = 0; i < versionsAndWeights.length; i += 2) {
            split.put((String) versionsAndWeights[i], ((Number) versionsAndWeights[i + 1]).doubleValue());
        }
        return split;
    }

    private static double total(Map<String, Double> split) {
        return split.values().stream().mapToDouble(Double::doubleValue).sum();
    }

    @Test
    void shouldGiveTheCandidateItsPercentAndKeepTheBaselineProportions() {
        Map<String, Double> step = StepWeights.split(split("v1", 3, "v2", 1), "c", 20);

        assertThat(step.keySet()).containsExactly("v1", "v2", "c");
        assertThat(step.get("v1")).isCloseTo(60, within(1e-9));
        assertThat(step.get("v2")).isCloseTo(20, within(1e-9));
        assertThat(step.get("c")).isEqualTo(20);
    }

    @Test
    void shouldSumToHundredAndKeepProportionsForManyRandomBaselines() {
        Random random = new Random(12);
        for (int trial = 0; trial < 10_000; trial++) {
            Map<String, Double> baseline = new LinkedHashMap<>();
            int versions = 1 + random.nextInt(8);
            for (int v = 0; v < versions; v++) baseline.put("v" + v, random.nextInt(4) == 0 ? 0 : random.nextDouble() * 1_000_000);
            if (total(baseline) == 0) baseline.put("v0", 1.0);
            double weight = random.nextInt(3) == 0 ? 100 : Math.nextUp(random.nextDouble() * 100);

            Map<String, Double> step = StepWeights.split(baseline, "cand", weight);

            assertThat(total(step)).isCloseTo(100, within(1e-9));
            assertThat(step.get("cand")).isEqualTo(weight);
            double baselineTotal = total(baseline);
            for (String version : baseline.keySet()) {
                assertThat(step.get(version)).isCloseTo(baseline.get(version) / baselineTotal * (100 - weight), within(1e-9));
            }
        }
    }

    @Test
    void shouldLeaveTheBaselineAtZeroOnTheHundredStep() {
        assertThat(StepWeights.split(split("v1", 90, "v2", 10), "c", 100))
                .containsExactly(Map.entry("v1", 0.0), Map.entry("v2", 0.0), Map.entry("c", 100.0));
    }

    @Test
    void shouldGiveASingleBaselineVersionTheWholeRest() {
        assertThat(StepWeights.split(split("v1", 7), "c", 1)).containsExactly(Map.entry("v1", 99.0), Map.entry("c", 1.0));
    }

    @Test
    void shouldFoldACandidateAlreadyInTheBaselineIntoTheOthersAndListItLast() {
        Map<String, Double> step = StepWeights.split(split("c", 30, "v1", 60, "v2", 10), "c", 50);

        assertThat(step.keySet()).containsExactly("v1", "v2", "c");
        assertThat(step.get("v1")).isCloseTo(50 * 6 / 7.0, within(1e-9));
        assertThat(step.get("v2")).isCloseTo(50 / 7.0, within(1e-9));
        assertThat(step.get("c")).isEqualTo(50);
    }

    @Test
    void shouldPromoteToTheCandidateAloneAndRollBackToTheBaselineExactly() {
        Map<String, Double> baseline = split("v2", 10, "v1", 90, "v3", 0);

        assertThat(StepWeights.promoted("c")).containsExactly(Map.entry("c", 100.0));
        assertThat(StepWeights.rollback(baseline)).containsExactly(Map.entry("v2", 10.0), Map.entry("v1", 90.0), Map.entry("v3", 0.0));
    }

    @Test
    void shouldRefuseWeightsOutsideTheRangeAndABaselineWithNothingButTheCandidate() {
        assertThatThrownBy(() -> StepWeights.split(split("v1", 1), "c", 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StepWeights.split(split("v1", 1), "c", 100.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StepWeights.split(split("v1", 1), "c", Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StepWeights.split(split("c", 100, "v1", 0), "c", 50))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no version but 'c'");
        assertThat(StepWeights.split(split("c", 100), "c", 100)).containsExactly(Map.entry("c", 100.0));
    }

    @Test
    void shouldMeasureAVersionsPercentOfASplit() {
        assertThat(StepWeights.percentOf(split("v1", 3, "v2", 1), "v2")).isCloseTo(25, within(1e-12));
        assertThat(StepWeights.percentOf(split("v1", 3), "v2")).isZero();
        assertThat(StepWeights.percentOf(split("v1", 0), "v1")).isZero();
    }
}
