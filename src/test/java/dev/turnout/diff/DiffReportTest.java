package dev.turnout.diff;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DiffReportTest {

    private static DiffRecord record(int n, String alias, String candidate, Verdict verdict, String text) {
        DiffMetrics metrics = new DiffMetrics(verdict, 200, 200, null, null, false, false, 0.5, 0.5, 0.5, true, true,
                List.of(), null, null, 1, n, null);
        return new DiffRecord("pair-" + n, Instant.ofEpochMilli(n), alias, "v1", candidate, DiffRecord.CANDIDATE, metrics,
                text, text, text);
    }

    @Test
    void shouldHoldSampleTextWithinItsBudgetNewestFirstWhateverTheTraffic() {
        DiffReport report = new DiffReport();
        String text = "x".repeat(4096);
        for (int n = 0; n < 5_000; n++) report.accept(record(n, "alias-" + (n % 7), "v2", Verdict.DIFFERENT, text));

        ArrayNode samples = report.samples(record -> true, Integer.MAX_VALUE);
        long heldChars = samples.size() * 3L * text.length();
        assertThat(heldChars).isLessThanOrEqualTo(DiffReport.SAMPLE_BUDGET_CHARS);
        assertThat(samples.size()).isGreaterThan(100); // the budget is used, not a handful kept
        assertThat(samples.get(0).get("id").asText()).isEqualTo("pair-4999");
        assertThat(samples.get(1).get("id").asText()).isEqualTo("pair-4998");
        // Every pair is still counted, only its text was let go.
        long pairs = 0;
        for (JsonNode entry : report.toJson().get("candidates")) pairs += entry.get("pairs").asLong();
        assertThat(pairs).isEqualTo(5_000);
    }

    @Test
    void shouldKeepAtMostAThousandRedactedSamples() {
        DiffReport report = new DiffReport();
        for (int n = 0; n < 3_000; n++) report.accept(record(n, "a", "v2", Verdict.SAME, null));
        assertThat(report.samples(record -> true, Integer.MAX_VALUE)).hasSize(DiffReport.MAX_SAMPLES);
    }

    @Test
    void shouldCountPairsOfKeysBeyondTheCapInsteadOfKeepingThem() {
        DiffReport report = new DiffReport();
        for (int n = 0; n < DiffReport.MAX_KEYS + 500; n++) report.accept(record(n, "alias-" + n, "v2", Verdict.SAME, null));
        report.dropped("one-more-alias", "v1", "v2");

        JsonNode json = report.toJson();
        assertThat(json.get("candidates")).hasSize(DiffReport.MAX_KEYS);
        assertThat(json.get("keysOverflowed").asLong()).isEqualTo(501);
    }

    @Test
    void shouldReportPercentilesOverTheMostRecentWindowOnly() {
        DiffReport report = new DiffReport();
        // An old slow era, then a recent window of fast pairs: only the recent ones are in the percentiles.
        for (int n = 0; n < 2_000; n++) report.accept(record(10_000, "a", "v2", Verdict.SAME, null));
        for (int n = 0; n < DiffReport.WINDOW; n++) report.accept(record(n, "a", "v2", Verdict.SAME, null));
        JsonNode latency = report.toJson().get("candidates").get(0).get("latencyDeltaMs");
        assertThat(latency.get("p95").asDouble()).isLessThan(DiffReport.WINDOW);
    }

    /** Judges a text pair the way the pipeline will, then records it. */
    private static DiffMetrics judgeAndAccept(DiffReport report, int n, String candidate, boolean noise, Double similarity,
                                              String status) {
        DiffMetrics judged = report.judge("a", "v1", noise, CalibrationTest.lexical(Verdict.SIMILAR), similarity, status);
        report.accept(new DiffRecord("pair-" + n, Instant.ofEpochMilli(n), "a", "v1", noise ? "v1" : candidate,
                noise ? DiffRecord.NOISE : DiffRecord.CANDIDATE, judged, null, null, null));
        return judged;
    }

    private static JsonNode entry(DiffReport report, String candidate) {
        for (JsonNode entry : report.toJson().get("candidates")) {
            if (entry.get("candidate").asText().equals(candidate)) return entry;
        }
        throw new AssertionError("no entry for " + candidate);
    }

    @Test
    void shouldSayNotYetWithNullFiguresUntilCalibrated() {
        DiffReport report = new DiffReport();
        for (int n = 0; n < 10; n++) judgeAndAccept(report, n, null, true, 0.95, DiffMetrics.SCORED);
        for (int n = 0; n < 40; n++) judgeAndAccept(report, 100 + n, "v2", false, 0.5, DiffMetrics.SCORED);
        judgeAndAccept(report, 200, "v2", false, null, DiffMetrics.skipped("pool_full"));
        judgeAndAccept(report, 201, "v2", false, null, DiffMetrics.skipped("pool_full"));
        judgeAndAccept(report, 202, "v2", false, null, DiffMetrics.skipped("not_sampled"));

        JsonNode entry = entry(report, "v2");
        assertThat(entry.get("differsBeyondNoise").asText()).isEqualTo("not yet");
        assertThat(entry.get("summary").asText())
                .isEqualTo("differs beyond noise: not yet (40 of 30 scored candidate pairs, 10 of 30 scored noise pairs)");
        assertThat(entry.at("/verdicts/uncalibrated").asLong()).isEqualTo(40);
        // Uncalibrated pairs are left out of the rates, not counted as unchanged.
        assertThat(entry.get("changedRate").asDouble()).isEqualTo(1.0);
        assertThat(entry.at("/beyondNoise/share").isNull()).isTrue();
        assertThat(entry.at("/beyondNoise/scoredPairs").asInt()).isEqualTo(40);
        assertThat(entry.at("/mannWhitney/pValue").isNull()).isTrue();
        assertThat(entry.at("/similarity/p50").asDouble()).isEqualTo(0.5);
        assertThat(entry.at("/noiseSimilarity/p50").asDouble()).isEqualTo(0.95);
        assertThat(entry.at("/noiseScored/pairs").asInt()).isEqualTo(10);
        assertThat(entry.get("semanticSkipped").toString()).isEqualTo("{\"not_sampled\":1,\"pool_full\":2}");
    }

    @Test
    void shouldReportAYesWithTheFiguresBehindItAndANoForACandidateWithinTheNoise() {
        DiffReport report = new DiffReport();
        Random random = new Random(11);
        int n = 0;
        for (int i = 0; i < 200; i++) judgeAndAccept(report, n++, null, true, 1 - 0.3 * random.nextDouble(), DiffMetrics.SCORED);
        for (int i = 0; i < 187; i++) {
            double similarity = random.nextDouble() < 0.3 ? 0.3 * random.nextDouble() : 1 - 0.3 * random.nextDouble();
            judgeAndAccept(report, n++, "v2", false, similarity, DiffMetrics.SCORED);
            judgeAndAccept(report, n++, "v3", false, 1 - 0.3 * random.nextDouble(), DiffMetrics.SCORED);
        }

        JsonNode changed = entry(report, "v2");
        assertThat(changed.get("differsBeyondNoise").asText()).isEqualTo("yes");
        assertThat(changed.get("summary").asText()).matches(
                "differs beyond noise: yes \\(n=187 pairs, \\d+% below the noise floor \\[\\d+%, \\d+%\\], p<0\\.001\\)");
        JsonNode beyond = changed.get("beyondNoise");
        assertThat(beyond.get("share").asDouble()).isBetween(0.25, 0.45);
        assertThat(beyond.get("ci95").get(0).asDouble()).isGreaterThan(0.05).isLessThan(beyond.get("share").asDouble());
        assertThat(beyond.get("floor").asDouble()).isBetween(0.7, 0.75); // 5th percentile of U(0.7, 1)
        assertThat(beyond.get("scoredPairs").asInt()).isEqualTo(187);
        assertThat(changed.at("/mannWhitney/pValue").asDouble()).isLessThan(0.001);
        assertThat(changed.at("/mannWhitney/z").asDouble()).isNegative();
        assertThat(changed.at("/verdicts/different").asLong()).isEqualTo(Math.round(beyond.get("share").asDouble() * 187));
        assertThat(changed.at("/noiseScored/tokenF1").asDouble()).isEqualTo(0.7);
        assertThat(changed.at("/noiseScored/lengthRatio").asDouble()).isEqualTo(0.9);
        assertThat(changed.at("/noiseScored/finishAgreement").asDouble()).isEqualTo(1.0);
        assertThat(changed.at("/similarity/p5").asDouble()).isLessThan(changed.at("/noiseSimilarity/p5").asDouble());

        JsonNode same = entry(report, "v3");
        assertThat(same.get("differsBeyondNoise").asText()).isEqualTo("no");
        assertThat(same.at("/noiseSimilarity/p50").asDouble()).isEqualTo(changed.at("/noiseSimilarity/p50").asDouble());
        assertThat(report.toJson().get("definitions").asText()).contains("differsBeyondNoise", "Wilson", "type-7");
    }

    @Test
    void shouldSortHeldSamplesLeastSimilarFirstWithUnscoredPairsLast() {
        DiffReport report = new DiffReport(new Calibration(0.05, 1));
        judgeAndAccept(report, 0, null, true, 0.9, DiffMetrics.SCORED);
        judgeAndAccept(report, 1, "v2", false, null, DiffMetrics.skipped("pool_full"));
        judgeAndAccept(report, 2, "v2", false, 0.95, DiffMetrics.SCORED);
        judgeAndAccept(report, 3, "v2", false, 0.2, DiffMetrics.SCORED);
        judgeAndAccept(report, 4, "v2", false, 0.95, DiffMetrics.SCORED);
        judgeAndAccept(report, 5, "v2", false, null, DiffMetrics.skipped("pool_full"));

        ArrayNode sorted = report.samples(record -> !record.noise(), 10, DiffReport.SampleOrder.LEAST_SIMILAR);
        assertThat(sorted).extracting(node -> node.get("id").asText())
                .containsExactly("pair-3", "pair-4", "pair-2", "pair-5", "pair-1"); // newest first among equals
        assertThat(sorted.get(0).at("/metrics/verdict").asText()).isEqualTo("different");
        assertThat(report.samples(record -> true, 2, DiffReport.SampleOrder.LEAST_SIMILAR)).hasSize(2);
        assertThat(report.samples(record -> true, 10)).extracting(node -> node.get("id").asText())
                .startsWith("pair-5", "pair-4");
    }
}
