package dev.turnout.diff;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.time.Instant;
import java.util.List;
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
}
