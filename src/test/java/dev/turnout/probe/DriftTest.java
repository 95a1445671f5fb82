package dev.turnout.probe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.golden.Similarity;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DriftTest {

    /** Word overlap stands in for the embedding model: pure and fast, enough to test the rule. */
    private static final Similarity OVERLAP = (a, b) -> {
        List<String> left = List.of(a.split(" "));
        List<String> right = List.of(b.split(" "));
        long shared = left.stream().filter(right::contains).count();
        return shared / (double) Math.max(left.size(), right.size());
    };

    private static VersionRun run(int items, int passed) {
        List<ItemOutcome> outcomes = new ArrayList<>();
        for (int i = 0; i < items; i++) {
            outcomes.add(new ItemOutcome("item-" + i, "regex", i < passed, false, "", "answer " + i, null, 5, 10));
        }
        return new VersionRun("v1", outcomes, 10L * items, null);
    }

    @Test
    void shouldFlagAFallInPassRateBeyondTheRunsOwnSamplingErrorOnly() {
        VersionRun baseline = run(20, 20);

        assertThat(Drift.judge("b", baseline, run(20, 20), OVERLAP).drifted()).isFalse();
        assertThat(Drift.judge("b", baseline, run(20, 19), OVERLAP).drifted()).isFalse(); // one unlucky item
        // 14 of 20 (interval 48% to 85%) still overlaps the baseline's (84% to 100%); 12 of 20 (39% to 78%) does not.
        assertThat(Drift.judge("b", baseline, run(20, 14), OVERLAP).drifted()).isFalse();
        Drift.Verdict fell = Drift.judge("b", baseline, run(20, 12), OVERLAP);
        assertThat(fell.drifted()).isTrue();
        assertThat(fell.reason()).contains("below the baseline's 100.0%");
        // Against a baseline at 80%, one more failure is within the noise of 20 items.
        assertThat(Drift.judge("b", run(20, 16), run(20, 15), OVERLAP).drifted()).isFalse();
        assertThat(Drift.judge("b", run(20, 16), run(20, 6), OVERLAP).drifted()).isTrue();
    }

    private static VersionRun answers(String kind, List<String> answers, List<String> repeats) {
        List<ItemOutcome> outcomes = new ArrayList<>();
        for (int i = 0; i < answers.size(); i++) {
            outcomes.add(new ItemOutcome("q" + i, kind, true, false, "", answers.get(i), repeats == null ? null : repeats.get(i), 5, 10));
        }
        return new VersionRun("v1", outcomes, 10, null);
    }

    @Test
    void shouldFlagExactAnswersThatChangeWhereTheBaselineWasStable() {
        List<String> stable = List.of("42", "Paris", "yes", "blue", "7");
        VersionRun baseline = answers("exact", stable, stable);

        assertThat(Drift.judge("b", baseline, answers("exact", stable, null), OVERLAP).drifted()).isFalse();
        Drift.Verdict moved = Drift.judge("b", baseline, answers("exact", List.of("41", "Lyon", "yes", "blue", "7"), null), OVERLAP);
        assertThat(moved.drifted()).isTrue();
        assertThat(moved.movedAnswers()).isEqualTo(2);
        assertThat(moved.comparedAnswers()).isEqualTo(5);
        // A baseline that answered differently twice is noisy on that item: a change there is not a move.
        VersionRun noisy = answers("exact", stable, List.of("43", "Lyon", "yes", "blue", "7"));
        assertThat(Drift.judge("b", noisy, answers("exact", List.of("41", "Nice", "yes", "blue", "7"), null), OVERLAP).drifted()).isFalse();
    }

    @Test
    void shouldMeasureSemanticMovesAgainstTheVersionsOwnNoise() {
        List<String> first = List.of("your order ships in two days", "refunds take five days", "reset your password here");
        List<String> again = List.of("your order ships in two days now", "refunds take five days", "reset your password here");
        VersionRun baseline = answers("semantic", first, again);

        VersionRun paraphrased = answers("semantic", List.of("your order ships in two days now", "refunds take five working days",
                "reset your password here"), null);
        assertThat(Drift.judge("b", baseline, paraphrased, OVERLAP).drifted()).isFalse();
        VersionRun different = answers("semantic", List.of("we cannot find any order", "no refunds are possible",
                "reset your password here"), null);
        assertThat(Drift.judge("b", baseline, different, OVERLAP).drifted()).isTrue();
    }
}
