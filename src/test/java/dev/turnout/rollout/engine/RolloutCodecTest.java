package dev.turnout.rollout.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.turnout.route.Alias;
import dev.turnout.route.RouteCodec;
import dev.turnout.route.RouteTable;
import dev.turnout.rollout.RolloutSpec;
import dev.turnout.rollout.RolloutSpecs;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RolloutCodecTest {

    private static final RouteTable ROUTES = RouteCodec.fromYaml(String.join("\n",
            "versions:",
            "  v1: { url: 'http://127.0.0.1:9101/v1' }",
            "  v2: { url: 'http://127.0.0.1:9102/v1' }",
            "aliases:",
            "  bot: { split: { v1: 100 }, pins: { tester: v2 }, sticky: user }",
            ""));

    private static Rollout sample() {
        RolloutSpec spec = RolloutSpecs.parse("{\"alias\": \"bot\", \"candidate\": \"v2\", \"shadowFirst\": {\"sample\": 0.2},"
                + " \"steps\": [{\"weight\": 10}, {\"weight\": 50}], \"criteria\": {\"errorRate\": {\"maxIncrease\": 0.02},"
                + " \"latencyP95\": {\"maxRatio\": 1.5}, \"beyondNoise\": {\"max\": 0.1}}}", false);
        Alias baseline = ROUTES.alias("bot");
        Instant now = Instant.parse("2026-11-23T10:00:00Z");
        Rollout.Look look = new Rollout.Look(List.of(
                new CriterionStatus("errorRate", 0.02, "inconclusive", "mSPRT", 0.01, 0.0, 0.01, -0.02, 0.04, 0.5, "inconclusive: ..."),
                new CriterionStatus("latencyP95", 1.5, "inconclusive", "bootstrap", Double.NaN, Double.NaN, Double.NaN,
                        Double.NaN, Double.NaN, Double.NaN, "not judged yet")),
                120, 1080, 40, 3, Map.of("errorRate", 0.5, "beyondNoise", 0.9));
        return new Rollout("ro-abc-1234", 7, spec, now, now.plusSeconds(5), RolloutState.RUNNING, null, "step 1 of 2",
                0, 2, List.of("shadow.1", "step0.1", "step0.2"), 4_000, now.plusSeconds(4), 1, baseline,
                RolloutAliases.phase(spec, baseline, baseline, 0), RolloutAliases.phase(spec, baseline, baseline, 1),
                "step 2", look, List.of(new LogEntry(now, -1, 0, "created", "by ops")), 3);
    }

    @Test
    void shouldReadBackWhatItWrites() {
        Rollout rollout = sample();

        Rollout read = RolloutCodec.read(rollout.id(), rollout.revision(), RolloutCodec.toTree(rollout).toString());

        assertThat(read.spec()).isEqualTo(rollout.spec());
        assertThat(read.baseline()).isEqualTo(rollout.baseline());
        assertThat(read.written()).isEqualTo(rollout.written());
        assertThat(read.pending()).isEqualTo(rollout.pending());
        assertThat(read.stepKeys()).isEqualTo(rollout.stepKeys());
        assertThat(read.look().pValues()).isEqualTo(rollout.look().pValues());
        assertThat(read.look().criteria().get(0)).isEqualTo(rollout.look().criteria().get(0));
        assertThat(read.look().criteria().get(1).estimate()).isNaN(); // a figure with no value stays absent, never "NaN" in JSON
        assertThat(read).usingRecursiveComparison().ignoringFields("look.criteria").isEqualTo(rollout);
    }

    @Test
    void shouldKeepWhatARolloutOwnsAndNothingElseInEachPhase() {
        Rollout rollout = sample();

        assertThat(rollout.written().split()).containsExactly(Map.entry("v1", 90.0), Map.entry("v2", 10.0));
        assertThat(rollout.written().pins()).isEqualTo(rollout.baseline().pins());
        assertThat(rollout.written().sticky()).isEqualTo(rollout.baseline().sticky());
        assertThat(rollout.written().shadows()).singleElement().satisfies(shadow -> {
            assertThat(shadow.version()).isEqualTo("v2");
            assertThat(shadow.sample()).isEqualTo(0.2);
        });
        assertThat(rollout.written().noiseSample()).isEqualTo(RolloutAliases.DEFAULT_NOISE_SAMPLE);
        Alias promoted = RolloutAliases.promoted(rollout.spec(), rollout.baseline(), rollout.pending());
        assertThat(promoted.split()).containsExactly(Map.entry("v2", 100.0));
        assertThat(promoted.shadows()).isEmpty();
        assertThat(promoted.noiseSample()).isZero();
        assertThat(promoted.pins()).isEqualTo(rollout.baseline().pins());
    }

    @Test
    void shouldRefuseADocumentItCannotTrust() {
        ObjectNode good = RolloutCodec.toTree(sample());

        for (String field : List.of("state", "step", "spec", "baseline", "createdAt", "attempt")) {
            ObjectNode bad = good.deepCopy();
            bad.put(field, "garbage");
            assertThatThrownBy(() -> RolloutCodec.read("ro-x", 1, bad.toString()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ro-x");
        }
        ObjectNode stepOutOfRange = good.deepCopy().put("step", 99);
        assertThatThrownBy(() -> RolloutCodec.read("ro-x", 1, stepOutOfRange.toString())).hasMessageContaining("step");
        assertThatThrownBy(() -> RolloutCodec.read("ro-x", 1, "[1,2]")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RolloutCodec.read("ro-x", 1, "{")).isInstanceOf(IllegalArgumentException.class);
    }
}
