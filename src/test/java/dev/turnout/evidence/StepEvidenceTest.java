package dev.turnout.evidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Random;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** The published form: round trips, merges, thinning, and what a hostile Redis entry cannot do. */
class StepEvidenceTest {

    private static ArmEvidence arm(long seed, int requests, int errors) {
        Random random = new Random(seed);
        Histogram latency = ArmEvidence.latencyHistogram();
        Histogram ttft = ArmEvidence.latencyHistogram();
        Histogram tokens = ArmEvidence.tokenHistogram();
        for (int i = 0; i < requests; i++) {
            long micros = (long) Math.exp(random.nextGaussian() * 0.5 + 12); // ~160 ms median, log-normal
            ArmEvidence.record(latency, micros, 1);
            if (i % 3 != 0) ArmEvidence.record(ttft, micros / 4, 1);
            if (i % 2 == 0) ArmEvidence.record(tokens, 20 + random.nextInt(400), 1);
        }
        return new ArmEvidence(requests, errors, latency, ttft, tokens);
    }

    private static StepEvidence step(long seed) {
        return new StepEvidence(arm(seed, 500, 7), arm(seed + 1, 900, 3), 40, 5);
    }

    @Test
    void shouldRoundTripExactly() {
        StepEvidence evidence = step(1);
        String encoded = evidence.encode();
        assertThat(encoded).startsWith("{\"v\":1,\"scored\":40,\"beyondNoise\":5,\"candidate\":{\"requests\":500,\"errors\":7,");
        StepEvidence decoded = StepEvidence.decode(encoded);
        assertThat(decoded).isEqualTo(evidence);
        assertThat(decoded.encode()).isEqualTo(encoded);
        assertThat(StepEvidence.decode(StepEvidence.EMPTY.encode())).isEqualTo(StepEvidence.EMPTY);
    }

    @Test
    void shouldMergeCountsAndDistributions() {
        StepEvidence one = step(1);
        StepEvidence two = step(7);
        StepEvidence merged = one.merge(two);
        assertThat(merged.candidate().requests()).isEqualTo(1000);
        assertThat(merged.candidate().errors()).isEqualTo(14);
        assertThat(merged.baseline().requests()).isEqualTo(1800);
        assertThat(merged.scoredPairs()).isEqualTo(80);
        assertThat(merged.beyondNoisePairs()).isEqualTo(10);
        double[] all = merged.candidate().latencyMillis(Integer.MAX_VALUE);
        assertThat(all).hasSize(1000);
        double[] both = concat(one.candidate().latencyMillis(1000), two.candidate().latencyMillis(1000));
        Arrays.sort(both);
        assertThat(all).containsExactly(both);
        assertThat(merged.candidate().ttftMillis(10_000)).hasSize(666);
        assertThat(merged.candidate().completionTokens(10_000)).hasSize(500);
        assertThat(one.merge(StepEvidence.EMPTY)).isEqualTo(one);
        assertThat(StepEvidence.decode(merged.encode())).isEqualTo(merged);
    }

    @Test
    void shouldThinToTheCapKeepingQuantilesWithinBucketPrecision() {
        ArmEvidence arm = arm(3, 50_000, 0);
        double[] all = arm.latencyMillis(Integer.MAX_VALUE);
        double[] thinned = arm.latencyMillis(1000);
        assertThat(all).hasSize(50_000);
        assertThat(thinned).hasSize(1000);
        assertThat(thinned).isSorted();
        for (double q : new double[] {0.05, 0.25, 0.5, 0.75, 0.9, 0.95}) {
            double full = all[(int) (q * all.length)];
            double thin = thinned[(int) (q * thinned.length)];
            // 2 significant digits: a bucket is at most 1 % wide; 1/1000 of rank moves at most a neighbour bucket here.
            assertThat(thin).as("quantile %s", q).isCloseTo(full, org.assertj.core.data.Percentage.withPercentage(2.5));
        }
        assertThat(arm.latencyMillis(0)).isEmpty();
        assertThatThrownBy(() -> arm.latencyMillis(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldClampValuesOutsideTheBounds() {
        String encoded = StepEvidence.EMPTY.encode().replace("\"candidate\":{\"requests\":0,\"errors\":0,\"latencyMicros\":[]",
                "\"candidate\":{\"requests\":3,\"errors\":0,\"latencyMicros\":[[-5,1],[99999999999999,1],[123456789012345678901234567890,1]]");
        double[] latencies = StepEvidence.decode(encoded).candidate().latencyMillis(10);
        assertThat(latencies[0]).isEqualTo(0);
        assertThat(latencies[1]).isCloseTo(3_600_000, org.assertj.core.data.Percentage.withPercentage(1));
        assertThat(latencies[2]).isEqualTo(latencies[1]);
    }

    @Test
    void shouldRefuseHostileEntriesWithClearMessages() {
        String valid = step(1).encode();
        String empty = StepEvidence.EMPTY.encode();
        String arm = "\"candidate\":{\"requests\":0,\"errors\":0,\"latencyMicros\":[]";
        refused("x".repeat(600 * 1024), "more than the 524288 allowed");
        refused(null, "missing");
        refused("", "must be an object, got nothing");
        refused("[1,2]", "must be an object");
        refused(valid.replace("\"v\":1", "\"v\":2"), "unknown evidence version 2");
        refused(valid.replace("\"v\":1,", ""), "no version field");
        refused(valid.replace("\"v\":1", "\"v\":\"1\""), "'v' is not a whole number");
        refused(valid.replace("\"scored\":40", "\"scored\":40.5"), "'scored' is not a whole number");
        refused(valid.replace("\"scored\":40", "\"scored\":NaN"), "not valid JSON");
        refused(valid.replace("\"scored\":40", "\"scored\":-40"), "'scored' is negative");
        refused(valid.replace("\"scored\":40", "\"scored\":99999999999999999999"), "'scored' is too large");
        refused(valid.replace("\"scored\":40", "\"scored\":9223372036854775807"), "more than 1125899906842624");
        refused(valid.replace("\"scored\":40", "\"scored\":4"), "beyondNoise (5) is more than scored (4)");
        refused(valid.replace("\"errors\":7", "\"errors\":700"), "candidate.errors (700) is more than its requests (500)");
        refused(valid.replace("\"candidate\"", "\"surprise\""), "unknown field 'surprise'");
        refused(valid.replace("\"requests\":500", "\"requests\":501"), "candidate.latencyMicros holds 500 values for 501 requests");
        refused(valid.replace("\"ttftMicros\":[", "\"ttftMicros\":{"), "ttftMicros' must be an array");
        refused(empty.replace(arm, arm.replace("\"requests\":0", "\"requests\":\"0\"")), "'candidate.requests' is not a whole number");
        refused(empty.replace(arm, arm.replace("[]", "[[1,-1]]")), "count' is negative");
        refused(empty.replace(arm, arm.replace("[]", "[[1,1125899906842624],[2,1]]")), "counts add up to more than");
        refused(empty.replace(arm, arm.replace("[]", "[[1,1,1]]")), "must hold [value, count] pairs");
        refused(empty.replace(arm, arm.replace("[]", "[[1.5,1]]")), "is not a whole number");
        refused(empty.replace(arm, arm.replace("[]", "[7]")), "must hold [value, count] pairs");
        refused(valid + " {}", "trailing content");
        refused(valid.replace("\"scored\":40,", "\"scored\":40,\"scored\":40,"), "'scored' appears twice");
        refused("[".repeat(100_000) + "]".repeat(100_000), "must be an object");
        refused("{\"v\":1,\"candidate\":" + "{\"a\":".repeat(1000) + "1" + "}".repeat(1000) + "}", "unknown field 'candidate.a'");
        refused(empty.replace(arm, arm.replace("\"latencyMicros\":[]", "\"latencyMicros\":" + "[".repeat(50))), "a value in 'candidate.latencyMicros' is not a whole number");
    }

    @Test
    void shouldRefuseAMillionPairsBeforeBuildingThem() {
        StringBuilder pairs = new StringBuilder("[");
        for (int i = 0; i < 1_000_000; i++) pairs.append(i == 0 ? "" : ",").append("[1,1]");
        String huge = StepEvidence.EMPTY.encode().replace("\"latencyMicros\":[]", "\"latencyMicros\":" + pairs + "]");
        refused(huge, "more than the 524288 allowed");
        String many = StepEvidence.EMPTY.encode().replace("\"latencyMicros\":[]", "\"latencyMicros\":"
                + "[[1,0]".concat(",[1,0]".repeat(20_000)) + "]");
        assertThat(many.length()).isLessThan(EvidenceCodec.MAX_CHARS);
        refused(many, "holds more than 20000 pairs");
    }

    private static void refused(String encoded, String message) {
        assertThatThrownBy(() -> StepEvidence.decode(encoded)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    private static double[] concat(double[] one, double[] two) {
        double[] all = Arrays.copyOf(one, one.length + two.length);
        System.arraycopy(two, 0, all, one.length, two.length);
        return all;
    }
}
