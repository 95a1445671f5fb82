package dev.turnout.diff;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The fleet report from stored records: the instance report's twin, and deaf to what is not a record. */
class FleetDiffsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Judged as the pipeline does, so verdicts depend on the floor as it stood. Similarities are k / 10 000: the
     * stream holds them rounded to 4 decimals, which could otherwise turn near-ties into ties.
     */
    private static DiffRecord judged(DiffReport report, int n, String candidate, boolean noise, Double similarity, String status) {
        DiffMetrics metrics = report.judge("bot", "v1", noise, CalibrationTest.lexical(n % 3 == 0 ? Verdict.SAME : Verdict.SIMILAR),
                similarity, status);
        return new DiffRecord("pair-" + n, Instant.ofEpochMilli(1_700_000_000_000L + n), "bot", "v1", noise ? "v1" : candidate,
                noise ? DiffRecord.NOISE : DiffRecord.CANDIDATE, metrics, "question " + n, "answer " + n, n % 2 == 0 ? "é\"\n" + n : null);
    }

    private static Map<String, String> entry(DiffRecord record) {
        return Map.of(FleetDiffs.FIELD, record.toJson().toString());
    }

    @Test
    void shouldRebuildTheSameReportAsTheInstanceThatComparedThePairs() {
        DiffReport instance = new DiffReport(new Calibration(0.05, 30));
        List<DiffRecord> records = new ArrayList<>();
        for (int n = 0; n < 400; n++) {
            DiffRecord record = switch (n % 5) {
                case 0, 1 -> judged(instance, n, "v1", true, (9_000 + n % 97 * 10) / 10_000.0, DiffMetrics.SCORED);
                case 2 -> judged(instance, n, "v2", false, (8_500 + n % 89 * 10) / 10_000.0, DiffMetrics.SCORED);
                case 3 -> judged(instance, n, "v3", false, null, DiffMetrics.skipped("pool_full"));
                default -> judged(instance, n, "v2", false, (8_000 + n % 13 * 100) / 10_000.0, DiffMetrics.SCORED);
            };
            instance.accept(record);
            records.add(record);
        }
        FleetDiffs fleet = new FleetDiffs();
        for (int i = records.size() - 1; i >= 0; i--) assertThat(fleet.offer(entry(records.get(i)))).isTrue(); // XREVRANGE: newest first

        FleetDiffs.Result result = fleet.build(instance.calibration());

        assertThat(result.entries()).isEqualTo(400);
        assertThat(result.unreadable()).isZero();
        assertThat(result.truncated()).isFalse();
        // Verdict counts, rates, percentiles, the noise floor and beyond-noise: field for field.
        assertThat(result.report().toJson()).isEqualTo(instance.toJson());
        assertThat(result.report().samples(record -> true, 100, DiffReport.SampleOrder.LEAST_SIMILAR))
                .isEqualTo(instance.samples(record -> true, 100, DiffReport.SampleOrder.LEAST_SIMILAR));
        assertThat(result.report().samples(record -> true, 5).get(0).get("id").asText()).isEqualTo("pair-399");
    }

    private static String mutated(Consumer<ObjectNode> change) {
        DiffReport report = new DiffReport();
        ObjectNode node = judged(report, 1, "v2", false, null, DiffMetrics.DISABLED).toJson();
        change.accept(node);
        return node.toString();
    }

    private static ObjectNode metrics(ObjectNode record) {
        return (ObjectNode) record.get("metrics");
    }

    @Test
    void shouldSkipAndCountEveryEntryThatIsNotARecordWithoutThrowing() {
        List<String> hostile = List.of(
                "", "not json", "[]", "null", "42", "{}", "{\"id\":", "[".repeat(5_000) + "]".repeat(5_000),
                mutated(r -> r.remove("id")),
                mutated(r -> r.put("id", 7)),
                mutated(r -> r.putNull("alias")),
                mutated(r -> r.put("time", "yesterday")),
                mutated(r -> r.put("kind", "other")),
                mutated(r -> r.put("metrics", "fine")),
                mutated(r -> r.put("request", 12)),
                mutated(r -> metrics(r).put("verdict", "maybe")),
                mutated(r -> metrics(r).put("verdict", "SAME")),
                mutated(r -> metrics(r).put("statusPrimary", "200")),
                mutated(r -> metrics(r).put("statusPrimary", 200.5)),
                mutated(r -> metrics(r).put("statusPrimary", 1L << 40)),
                mutated(r -> metrics(r).put("latencyDeltaMs", "NaN")),
                mutated(r -> metrics(r).remove("latencyDeltaMs")),
                mutated(r -> metrics(r).put("exact", "true")),
                mutated(r -> metrics(r).putArray("toolArgDiffs").add(1)),
                mutated(r -> metrics(r).put("toolArgDiffs", "none")),
                mutated(r -> metrics(r).put("similarity", 0.5)), // a similarity on a pair not scored
                mutated(r -> metrics(r).put("similarity", 7.0).put("semanticStatus", "scored")), // not a cosine
                mutated(r -> metrics(r).putNull("semanticStatus")),
                mutated(r -> metrics(r).put("completionTokenDelta", "many")),
                mutated(r -> metrics(r).put("jsonValidPrimary", 1)),
                mutated(r -> r.put("alias", "x".repeat(FleetDiffs.MAX_ENTRY_CHARS)))); // oversized
        String infinite = mutated(r -> {}).replace("\"latencyDeltaMs\":10.0", "\"latencyDeltaMs\":1e400");
        assertThat(infinite).contains("1e400");

        FleetDiffs fleet = new FleetDiffs();
        assertThat(fleet.offer(Map.of(FleetDiffs.FIELD, mutated(r -> {})))).isTrue();
        for (String stored : hostile) assertThat(fleet.offer(Map.of(FleetDiffs.FIELD, stored))).isTrue();
        fleet.offer(Map.of(FleetDiffs.FIELD, infinite));
        fleet.offer(Map.of("v", mutated(r -> {}))); // the wrong field
        fleet.offer(null); // an entry without fields
        Map<String, String> twoFields = new HashMap<>(Map.of(FleetDiffs.FIELD, "garbage", "other", "x"));
        fleet.offer(twoFields);
        FleetDiffs.Result result = fleet.build(Calibration.defaults());

        assertThat(result.entries()).isEqualTo(hostile.size() + 5);
        assertThat(result.unreadable()).isEqualTo(hostile.size() + 4);
        assertThat(result.truncated()).isFalse();
        assertThat(result.report().toJson().get("candidates")).hasSize(1);
        assertThat(result.report().toJson().at("/candidates/0/pairs").asLong()).isEqualTo(1);
    }

    @Test
    void shouldStopAtTheEntryCapAndSayItWasTruncated() {
        FleetDiffs fleet = new FleetDiffs();
        for (int i = 0; i < FleetDiffs.MAX_ENTRIES; i++) assertThat(fleet.offer(Map.of(FleetDiffs.FIELD, "x"))).isTrue();
        assertThat(fleet.build(Calibration.defaults()).truncated()).as("exactly the cap: nothing was left out").isFalse();
        assertThat(fleet.offer(Map.of(FleetDiffs.FIELD, "x"))).isFalse();
        assertThat(fleet.offer(Map.of(FleetDiffs.FIELD, "x"))).isFalse();

        FleetDiffs.Result result = fleet.build(Calibration.defaults());
        assertThat(result.entries()).isEqualTo(FleetDiffs.MAX_ENTRIES);
        assertThat(result.unreadable()).isEqualTo(FleetDiffs.MAX_ENTRIES);
        assertThat(result.truncated()).isTrue();
        assertThat(result.toJson().toString()).isEqualTo("{\"entries\":20000,\"truncated\":true,\"unreadable\":20000}");
    }

    @Test
    void shouldStopAtTheCharacterCapAndSayItWasTruncated() {
        FleetDiffs fleet = new FleetDiffs();
        String big = "y".repeat(FleetDiffs.MAX_ENTRY_CHARS);
        int taken = 0;
        while (fleet.offer(Map.of(FleetDiffs.FIELD, big))) taken++;

        assertThat((long) taken * big.length()).isLessThanOrEqualTo(FleetDiffs.MAX_CHARS)
                .isGreaterThan(FleetDiffs.MAX_CHARS - big.length());
        FleetDiffs.Result result = fleet.build(Calibration.defaults());
        assertThat(result.entries()).isEqualTo(taken);
        assertThat(result.truncated()).isTrue();
    }
}
