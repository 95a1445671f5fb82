package dev.turnout.rollout.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.evidence.ArmEvidence;
import dev.turnout.evidence.StepEvidence;
import dev.turnout.judge.StepDecision.Outcome;
import dev.turnout.route.Alias;
import dev.turnout.route.RouteCodec;
import dev.turnout.rollout.RolloutSpec;
import dev.turnout.rollout.RolloutSpecs;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** One look's judgement on hand-made evidence: what is judged when, and against what. */
class StepLookTest {

    private static final Alias BASELINE = RouteCodec.fromYaml(String.join("\n",
            "versions:",
            "  v1: { url: 'http://127.0.0.1:9101/v1' }",
            "  v2: { url: 'http://127.0.0.1:9102/v1' }",
            "aliases:",
            "  bot: { split: { v1: 100 } }",
            "")).alias("bot");

    private static Rollout rollout(String extra, int step, int ratioLooks, Rollout.Look look) {
        RolloutSpec spec = RolloutSpecs.parse("{\"alias\": \"bot\", \"candidate\": \"v2\", \"steps\": [{\"weight\": 10,"
                + " \"minRequests\": 100, \"minSeconds\": 10, \"maxSeconds\": 110}, {\"weight\": 100}], \"criteria\": {"
                + "\"errorRate\": {\"maxIncrease\": 0.05}, \"latencyP95\": {\"maxRatio\": 1.2}, \"beyondNoise\": {\"max\": 0.1}}"
                + extra + "}", false);
        Instant now = Instant.parse("2026-11-23T10:00:00Z");
        return new Rollout("ro-test", 3, spec, now, now, step < 0 ? RolloutState.SHADOWING : RolloutState.RUNNING, null, "",
                step, 1, List.of(Rollout.stepKey(step, 1)), 0, now, ratioLooks, BASELINE, BASELINE, null, null, look, List.of(), 0);
    }

    /** An arm of {@code requests} answers, {@code errors} of them errors, all taking {@code latencyMs}. */
    private static String arm(long requests, long errors, long latencyMs) {
        String latency = requests == 0 ? "[]" : "[[" + latencyMs * 1000 + "," + requests + "]]";
        return "{\"requests\":" + requests + ",\"errors\":" + errors + ",\"latencyMicros\":" + latency
                + ",\"ttftMicros\":[],\"completionTokens\":[]}";
    }

    private static StepEvidence evidence(String candidate, String baseline, long scored, long beyond) {
        return StepEvidence.decode("{\"v\":1,\"scored\":" + scored + ",\"beyondNoise\":" + beyond + ",\"candidate\":" + candidate
                + ",\"baseline\":" + baseline + "}");
    }

    private static CriterionStatus status(StepLook.Result result, String criterion) {
        return result.look().criteria().stream().filter(status -> status.criterion().equals(criterion)).findFirst().orElseThrow();
    }

    @Test
    void shouldNotJudgeADistributionBeforeTheStepsMinimumsAreMet() {
        StepEvidence slow = evidence(arm(300, 0, 40), arm(3000, 0, 20), 0, 0);

        StepLook.Result early = StepLook.judge(rollout("", 0, 0, Rollout.Look.NONE), slow, slow, null, 5_000);

        assertThat(early.ratioLooked()).isFalse();
        assertThat(status(early, "latencyP95").decision()).isEqualTo("inconclusive");
        assertThat(status(early, "latencyP95").summary()).contains("not judged yet");
        // The rollout's reason, shown in every listing, says the same in words: no "ratio NaN (NaN to NaN)".
        assertThat(early.decision().reason()).contains("latencyP95 (inconclusive: not judged yet").doesNotContain("NaN");

        StepLook.Result due = StepLook.judge(rollout("", 0, 0, Rollout.Look.NONE), slow, slow, null, 10_000);

        assertThat(due.ratioLooked()).isTrue();
        assertThat(status(due, "latencyP95").decision()).isEqualTo("fail");
        assertThat(status(due, "latencyP95").estimate()).isGreaterThan(1.5);
        assertThat(due.decision().outcome()).isEqualTo(Outcome.FAIL);
    }

    @Test
    void shouldLookAtDistributionsAtMostTenTimesAndKeepTheLastVerdictBetween() {
        StepEvidence slow = evidence(arm(300, 0, 40), arm(3000, 0, 20), 0, 0);
        CriterionStatus passedBefore = new CriterionStatus("latencyP95", 1.2, "pass", "bootstrap", 20, 20, 1.0, 0.9, 1.1,
                Double.NaN, "pass");
        Rollout.Look look = new Rollout.Look(List.of(passedBefore), 0, 0, 0, 0, Map.of());

        // Ten looks spent: the slow evidence is not looked at again, the last verdict stands.
        StepLook.Result spent = StepLook.judge(rollout("", 0, StepLook.MAX_RATIO_LOOKS, look), slow, slow, null, 100_000);
        assertThat(spent.ratioLooked()).isFalse();
        assertThat(status(spent, "latencyP95").decision()).isEqualTo("pass");

        // Three looks spent: the fourth is due 10 s + 3 × 10 s into the step, not before.
        assertThat(StepLook.judge(rollout("", 0, 3, look), slow, slow, null, 39_000).ratioLooked()).isFalse();
        assertThat(StepLook.judge(rollout("", 0, 3, look), slow, slow, null, 40_000).ratioLooked()).isTrue();
    }

    @Test
    void shouldCompareTheLastStepWithThePreviousStepsBaselineWhenTheBaselineServesNothing() {
        // Two baseline requests were still in flight when the step began: no baseline to judge on alone.
        StepEvidence atFull = evidence(arm(500, 0, 20), arm(2, 0, 20), 300, 10);
        ArmEvidence previousBaseline = evidence(arm(0, 0, 0), arm(800, 40, 20), 0, 0).baseline();

        StepLook.Result result = StepLook.judge(rollout("", 1, 0, Rollout.Look.NONE), atFull, atFull, previousBaseline, 20_000);

        CriterionStatus errorRate = status(result, "errorRate");
        assertThat(errorRate.baseline()).isEqualTo(40 / 802.0);
        assertThat(errorRate.candidate()).isZero();
        assertThat(result.look().baselineRequests()).isEqualTo(802);
    }

    @Test
    void shouldJudgeOnlyPairsWhileShadowingAndWaitForMinPairs() {
        String shadowFirst = ", \"shadowFirst\": {\"sample\": 0.5, \"minPairs\": 400}";
        StepEvidence pairs = evidence(arm(0, 0, 0), arm(0, 0, 0), 300, 6);

        StepLook.Result waiting = StepLook.judge(rollout(shadowFirst, -1, 0, Rollout.Look.NONE), pairs, pairs, null, 1_000);

        assertThat(waiting.look().criteria()).extracting(CriterionStatus::criterion).containsExactly("beyondNoise");
        assertThat(waiting.decision().outcome()).isEqualTo(Outcome.INCONCLUSIVE);
        assertThat(waiting.decision().reason()).contains("minPairs 400 (have 300)");

        StepEvidence enough = evidence(arm(0, 0, 0), arm(0, 0, 0), 400, 8);
        assertThat(StepLook.judge(rollout(shadowFirst, -1, 0, Rollout.Look.NONE), enough, enough, null, 1_000).decision().outcome())
                .isEqualTo(Outcome.PASS);
        StepEvidence contradicting = evidence(arm(0, 0, 0), arm(0, 0, 0), 150, 50);
        assertThat(StepLook.judge(rollout(shadowFirst, -1, 0, Rollout.Look.NONE), contradicting, contradicting, null, 1_000)
                .decision().outcome()).isEqualTo(Outcome.FAIL);
    }

    @Test
    void shouldCarryTheRateTestsPValueFromLookToLook() {
        StepEvidence bad = evidence(arm(200, 30, 20), arm(2000, 20, 20), 0, 0);
        StepLook.Result first = StepLook.judge(rollout("", 0, 0, Rollout.Look.NONE), bad, bad, null, 1_000);
        double p = first.look().pValues().get("errorRate");
        assertThat(p).isLessThan(0.05);

        // Later evidence that looks fine cannot raise the p-value: earlier evidence is not forgotten.
        StepEvidence fine = evidence(arm(200, 2, 20), arm(2000, 20, 20), 0, 0);
        Rollout.Look carried = new Rollout.Look(List.of(), 0, 0, 0, 0, Map.of("errorRate", p));
        StepLook.Result later = StepLook.judge(rollout("", 0, 0, carried), fine, fine, null, 2_000);
        assertThat(later.look().pValues().get("errorRate")).isEqualTo(p);
        assertThat(status(later, "errorRate").decision()).isEqualTo("fail");
    }
}
