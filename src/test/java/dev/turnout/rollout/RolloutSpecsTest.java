package dev.turnout.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.turnout.route.RouteCodec;
import dev.turnout.route.RouteTable;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RolloutSpecsTest {

    /** The example of issue 12, verbatim. */
    private static final String ISSUE_EXAMPLE = """
            {"alias": "support-bot", "candidate": "support-v2",
             "shadowFirst": {"sample": 0.2, "minPairs": 200},
             "steps": [{"weight": 1, "minRequests": 200, "minSeconds": 60, "maxSeconds": 900},
                       {"weight": 10}, {"weight": 50}, {"weight": 100}],
             "criteria": {"errorRate": {"maxIncrease": 0.01}, "latencyP95": {"maxRatio": 1.2},
                          "ttftP95": {"maxRatio": 1.2}, "beyondNoise": {"max": 0.1},
                          "completionTokens": {"maxRatio": 1.3}},
             "onFailure": "rollback"}
            """;

    private static final RouteTable ROUTES = RouteCodec.fromYaml(String.join("\n",
            "versions:",
            "  support-v1: { url: \"http://127.0.0.1:9101/v1\" }",
            "  support-v2: { url: \"http://127.0.0.1:9102/v1\" }",
            "  support-v3: { url: \"http://127.0.0.1:9103/v1\" }",
            "aliases:",
            "  support-bot: { split: { support-v1: 90, support-v3: 10 } }",
            "  ramped:      { split: { support-v1: 70, support-v2: 30 } }",
            "  v2-only:     { split: { support-v2: 100, support-v1: 0 } }",
            ""));

    private static List<String> problemsOf(String body) {
        try {
            RolloutSpecs.parse(body, false);
        } catch (InvalidRolloutException e) {
            return e.problems();
        }
        throw new AssertionError("accepted: " + body);
    }

    private static String minimal(String extraFields) {
        return "{\"alias\": \"support-bot\", \"candidate\": \"support-v2\", \"steps\": [{\"weight\": 10}],"
                + " \"criteria\": {\"errorRate\": {\"maxIncrease\": 0.01}}" + extraFields + "}";
    }

    @Test
    void shouldReadTheIssueExampleWithEveryField() {
        RolloutSpec spec = RolloutSpecs.parse(ISSUE_EXAMPLE, false);

        assertThat(spec.alias()).isEqualTo("support-bot");
        assertThat(spec.candidate()).isEqualTo("support-v2");
        assertThat(spec.shadowFirst()).isEqualTo(new RolloutSpec.ShadowFirst(0.2, 200));
        assertThat(spec.steps()).containsExactly(new RolloutSpec.Step(1, 200, 60, 900), new RolloutSpec.Step(10, 200, 60, 900),
                new RolloutSpec.Step(50, 200, 60, 900), new RolloutSpec.Step(100, 200, 60, 900));
        assertThat(spec.criteria()).containsExactly(Map.entry(Criterion.ERROR_RATE, 0.01), Map.entry(Criterion.LATENCY_P95, 1.2),
                Map.entry(Criterion.TTFT_P95, 1.2), Map.entry(Criterion.BEYOND_NOISE, 0.1),
                Map.entry(Criterion.COMPLETION_TOKENS, 1.3));
        assertThat(spec.onFailure()).isEqualTo(OnFailure.ROLLBACK);
        assertThat(RolloutSpecs.problems(spec, ROUTES)).isEmpty();
    }

    @Test
    void shouldWriteASpecThatReadsBackEqualWithEveryDefaultShown() {
        RolloutSpec spec = RolloutSpecs.parse(ISSUE_EXAMPLE, false);
        RolloutSpec minimal = RolloutSpecs.parse(minimal(""), false);

        assertThat(RolloutSpecs.parse(RolloutSpecs.toTree(spec).toString(), false)).isEqualTo(spec);
        assertThat(RolloutSpecs.parse(RolloutSpecs.toTree(minimal).toString(), false)).isEqualTo(minimal);
        assertThat(RolloutSpecs.toTree(minimal).path("steps").get(0).path("maxSeconds").asLong())
                .isEqualTo(RolloutSpec.DEFAULT_MAX_SECONDS);
        assertThat(RolloutSpecs.toTree(minimal).path("onFailure").asText()).isEqualTo("rollback");
    }

    @Test
    void shouldReadAGateWithItsDefaultsAndListItsProblems() {
        RolloutSpec gated = RolloutSpecs.parse(minimal(", \"gate\": {\"probe\": \"support-golden\", \"minPassRate\": 0.9}"), false);
        assertThat(gated.gate()).isEqualTo(new RolloutSpec.Gate("support-golden", 0.9, 0.02));
        assertThat(RolloutSpecs.parse(RolloutSpecs.toTree(gated).toString(), false)).isEqualTo(gated);
        assertThat(RolloutSpecs.parse(minimal(""), false).gate()).isNull();

        assertThat(problemsOf(minimal(", \"gate\": {\"minPassRate\": 2, \"maxDropVsBaseline\": -1, \"probes\": \"x\"}")))
                .anySatisfy(problem -> assertThat(problem).startsWith("gate.probes: unknown field"))
                .anySatisfy(problem -> assertThat(problem).startsWith("gate.probe: the name of a probe"))
                .anySatisfy(problem -> assertThat(problem).startsWith("gate.minPassRate: must be a number in [0, 1]"))
                .anySatisfy(problem -> assertThat(problem).startsWith("gate.maxDropVsBaseline: must be a number in [0, 1]"));
        assertThat(problemsOf(minimal(", \"gate\": \"support-golden\""))).singleElement()
                .satisfies(problem -> assertThat(problem).startsWith("gate: must be an object"));
    }

    @Test
    void shouldReadTheSameSpecFromYaml() {
        String yaml = String.join("\n",
                "alias: support-bot",
                "candidate: support-v2",
                "shadowFirst: { sample: 0.2, minPairs: 200 }",
                "steps:",
                "  - { weight: 1, minRequests: 200, minSeconds: 60, maxSeconds: 900 }",
                "  - weight: 10",
                "  - weight: 50",
                "  - weight: 100",
                "criteria:",
                "  errorRate: { maxIncrease: 0.01 }",
                "  latencyP95: { maxRatio: 1.2 }",
                "  ttftP95: { maxRatio: 1.2 }",
                "  beyondNoise: { max: 0.1 }",
                "  completionTokens: { maxRatio: 1.3 }",
                "onFailure: rollback",
                "");

        assertThat(RolloutSpecs.parse(yaml, true)).isEqualTo(RolloutSpecs.parse(ISSUE_EXAMPLE, false));
    }

    @Test
    void shouldFillDefaultsAndLetLaterStepsInheritTheEarlierOnesFields() {
        RolloutSpec spec = RolloutSpecs.parse("{\"alias\": \"support-bot\", \"candidate\": \"support-v2\","
                + " \"steps\": [{\"weight\": 5}, {\"weight\": 20, \"minSeconds\": 120, \"minRequests\": 1000},"
                + " {\"weight\": 60, \"maxSeconds\": 3600}],"
                + " \"criteria\": {\"latencyP95\": {\"maxRatio\": 1.5}}}", false);

        assertThat(spec.steps()).containsExactly(new RolloutSpec.Step(5, 200, 60, 900),
                new RolloutSpec.Step(20, 1000, 120, 900), new RolloutSpec.Step(60, 1000, 120, 3600));
        assertThat(spec.shadowFirst()).isNull();
        assertThat(spec.onFailure()).isEqualTo(OnFailure.ROLLBACK);
        assertThat(spec.criteria()).containsOnlyKeys(Criterion.LATENCY_P95);
        assertThat(RolloutSpecs.parse(minimal(", \"shadowFirst\": {}, \"onFailure\": \"pause\""), false))
                .extracting(RolloutSpec::shadowFirst, RolloutSpec::onFailure)
                .containsExactly(new RolloutSpec.ShadowFirst(0.1, 200), OnFailure.PAUSE);
    }

    @Test
    void shouldNameMissingRequiredFields() {
        assertThat(problemsOf("{}")).containsExactly(
                "alias: required",
                "candidate: required",
                "steps: required, a list such as [{\"weight\": 10}, {\"weight\": 100}]",
                "criteria: required, at least one criterion such as {\"errorRate\": {\"maxIncrease\": 0.01}}");
        assertThat(problemsOf("{\"alias\": \"a\", \"candidate\": \"b\", \"steps\": [{\"minSeconds\": 5}], \"criteria\": {}}"))
                .containsExactly("steps[0].weight: required, the candidate's percent",
                        "criteria: must hold at least one criterion such as {\"errorRate\": {\"maxIncrease\": 0.01}}");
        assertThat(problemsOf(minimal("").replace("{\"maxIncrease\": 0.01}", "{}"))).containsExactly("criteria.errorRate.maxIncrease: required");
        assertThat(problemsOf(minimal("").replace("[{\"weight\": 10}]", "[]")))
                .containsExactly("steps: must hold at least one step, such as [{\"weight\": 10}, {\"weight\": 100}]");
    }

    @Test
    void shouldNameUnknownFieldsAtEveryLevel() {
        assertThat(problemsOf(minimal(", \"onFailur\": \"pause\"")))
                .containsExactly("onFailur: unknown field (expected one of [alias, candidate, criteria, gate, onFailure, shadowFirst, steps])");
        assertThat(problemsOf(minimal("").replace("{\"weight\": 10}", "{\"weight\": 10, \"minSecs\": 5}")))
                .containsExactly("steps[0].minSecs: unknown field (expected one of [maxSeconds, minRequests, minSeconds, weight])");
        assertThat(problemsOf(minimal("").replace("maxIncrease", "maxIncrese"))).containsExactly(
                "criteria.errorRate.maxIncrese: unknown field (expected one of [maxIncrease])",
                "criteria.errorRate.maxIncrease: required");
        assertThat(problemsOf(minimal("").replace("errorRate", "errorRatio"))).containsExactly(
                "criteria.errorRatio: unknown criterion (expected one of [errorRate, latencyP95, ttftP95, beyondNoise,"
                        + " completionTokens])");
        assertThat(problemsOf(minimal(", \"shadowFirst\": {\"pairs\": 5}")))
                .containsExactly("shadowFirst.pairs: unknown field (expected one of [minPairs, sample])");
    }

    @Test
    void shouldNameWrongTypes() {
        assertThat(problemsOf("{\"alias\": 7, \"candidate\": [\"v2\"], \"steps\": {\"weight\": 10},"
                + " \"criteria\": [1], \"onFailure\": true, \"shadowFirst\": \"yes\"}")).containsExactly(
                "alias: must be a string, got 7",
                "candidate: must be a string, got [\"v2\"]",
                "shadowFirst: must be an object with [minPairs, sample], got \"yes\"",
                "steps: must be a list such as [{\"weight\": 10}, {\"weight\": 100}], got {\"weight\":10}",
                "criteria: must be an object such as {\"errorRate\": {\"maxIncrease\": 0.01}}, got [1]",
                "onFailure: must be one of [rollback, pause], got true");
        assertThat(problemsOf(minimal("").replace("[{\"weight\": 10}]", "[10, {\"weight\": \"10\", \"minRequests\": 1.5}]")))
                .containsExactly(
                        "steps[0]: must be an object with [maxSeconds, minRequests, minSeconds, weight], got 10",
                        "steps[1].weight: must be a number in (0, 100], got \"10\"",
                        "steps[1].minRequests: must be a whole number from 0 to 100000000, got 1.5");
        assertThat(problemsOf(minimal("").replace("{\"maxIncrease\": 0.01}", "0.01")))
                .containsExactly("criteria.errorRate: must be an object with [maxIncrease], got 0.01");
    }

    @Test
    void shouldNameEveryNumberOutOfRange() {
        assertThat(problemsOf("{\"alias\": \"support-bot\", \"candidate\": \"support-v2\","
                + " \"shadowFirst\": {\"sample\": 0, \"minPairs\": 0},"
                + " \"steps\": [{\"weight\": 0}, {\"weight\": 120, \"minRequests\": -1, \"minSeconds\": 604801, \"maxSeconds\": 0}],"
                + " \"criteria\": {\"errorRate\": {\"maxIncrease\": -0.1}, \"latencyP95\": {\"maxRatio\": 0.9},"
                + " \"ttftP95\": {\"maxRatio\": 101}, \"beyondNoise\": {\"max\": 1.5}, \"completionTokens\": {\"maxRatio\": 1e400}},"
                + " \"onFailure\": \"retry\"}")).containsExactly(
                "shadowFirst.sample: must be a number in (0, 1], got 0",
                "shadowFirst.minPairs: must be a whole number from 1 to 1000000, got 0",
                "steps[0].weight: must be a number in (0, 100], got 0",
                "steps[1].weight: must be a number in (0, 100], got 120",
                "steps[1].minRequests: must be a whole number from 0 to 100000000, got -1",
                "steps[1].minSeconds: must be a whole number from 0 to 604800, got 604801",
                "steps[1].maxSeconds: must be a whole number from 1 to 604800, got 0",
                "criteria.errorRate.maxIncrease: must be a number in [0, 1], got -0.1",
                "criteria.latencyP95.maxRatio: must be a number in [1, 100], got 0.9",
                "criteria.ttftP95.maxRatio: must be a number in [1, 100], got 101",
                "criteria.beyondNoise.max: must be a number in [0, 1], got 1.5",
                "criteria.completionTokens.maxRatio: must be a number in [1, 100], got Infinity",
                "onFailure: must be one of [rollback, pause], got \"retry\"");
    }

    @Test
    void shouldRefuseAWholeNumberBeyondALongInsteadOfWrappingIt() {
        assertThat(problemsOf(minimal("").replace("{\"weight\": 10}", "{\"weight\": 10, \"minRequests\": 18446744073709551621}")))
                .containsExactly("steps[0].minRequests: must be a whole number from 0 to 100000000, got 18446744073709551621");
    }

    @Test
    void shouldRequireStepWeightsToIncrease() {
        assertThat(problemsOf(minimal("").replace("[{\"weight\": 10}]", "[{\"weight\": 10}, {\"weight\": 10}, {\"weight\": 5}, {\"weight\": 100}]")))
                .containsExactly("steps: weights must increase, steps[1].weight 10 <= steps[0].weight 10",
                        "steps: weights must increase, steps[2].weight 5 <= steps[1].weight 10");
    }

    @Test
    void shouldRequireMaxSecondsAtLeastMinSecondsIncludingInheritedValues() {
        assertThat(problemsOf(minimal("").replace("[{\"weight\": 10}]",
                "[{\"weight\": 10, \"maxSeconds\": 300}, {\"weight\": 20, \"minSeconds\": 600}]"))).containsExactly(
                "steps[1]: maxSeconds 300 is less than minSeconds 600 (a field a step omits is the previous step's)");
    }

    @Test
    void shouldBoundTheNumberOfStepsAndTheLengthOfNames() {
        String steps = "[" + String.join(", ", java.util.Collections.nCopies(21, "{\"weight\": 10}")) + "]";
        assertThat(problemsOf(minimal("").replace("[{\"weight\": 10}]", steps))).containsExactly("steps: at most 20 steps, got 21");
        assertThat(problemsOf(minimal("").replace("support-bot", "a".repeat(129)))).containsExactly(
                "alias: must match [A-Za-z0-9._:-]{1,128}, got \"" + "a".repeat(63) + "... (131 characters)");
        assertThat(problemsOf(minimal("").replace("support-v2", "v 2")))
                .containsExactly("candidate: must match [A-Za-z0-9._:-]{1,128}, got \"v 2\"");
    }

    @Test
    void shouldListEveryProblemOfOneBadDocument() {
        assertThat(problemsOf("{\"alias\": \"\", \"steps\": [{\"weight\": 50}, {\"weight\": 20, \"minSecnds\": 1}, {\"weight\": 200}],"
                + " \"criteria\": {\"latencyP95\": {\"maxRatio\": \"fast\"}, \"vibes\": {}}, \"onFailure\": \"panic\", \"extra\": 1}"))
                .containsExactly(
                        "extra: unknown field (expected one of [alias, candidate, criteria, gate, onFailure, shadowFirst, steps])",
                        "alias: must match [A-Za-z0-9._:-]{1,128}, got \"\"",
                        "candidate: required",
                        "steps[1].minSecnds: unknown field (expected one of [maxSeconds, minRequests, minSeconds, weight])",
                        "steps: weights must increase, steps[1].weight 20 <= steps[0].weight 50",
                        "steps[2].weight: must be a number in (0, 100], got 200",
                        "criteria.latencyP95.maxRatio: must be a number in [1, 100], got \"fast\"",
                        "criteria.vibes: unknown criterion (expected one of [errorRate, latencyP95, ttftP95, beyondNoise,"
                                + " completionTokens])",
                        "onFailure: must be one of [rollback, pause], got \"panic\"");
    }

    @Test
    void shouldTurnHostileDocumentsIntoProblemsNotExceptions() {
        assertThat(problemsOf("")).containsExactly("document: empty; expected a rollout object");
        assertThat(problemsOf("[1, 2]")).containsExactly(
                "document: must be an object such as {\"alias\": ..., \"candidate\": ..., \"steps\": [...], \"criteria\": {...}}");
        assertThat(problemsOf("{\"alias\": ")).singleElement().asString().startsWith("document: not valid JSON: ");
        assertThat(problemsOf(minimal("").replace("0.01", "NaN"))).singleElement().asString()
                .startsWith("document: not valid JSON: Non-standard token 'NaN'");
        assertThat(problemsOf(minimal("").replace("{\"weight\": 10}", "{\"weight\": 1, \"weight\": 100}")))
                .singleElement().asString().startsWith("document: not valid JSON: Duplicate field 'weight'");
        assertThat(problemsOf("[".repeat(10_000) + "]".repeat(10_000))).singleElement().asString()
                .startsWith("document: not valid JSON: Document nesting depth (17) exceeds the maximum allowed (16");
        String huge = "{\"steps\": [" + "1,".repeat(40_000) + "1]}";
        assertThat(problemsOf(huge)).containsExactly("document: at most 65536 characters, got " + huge.length());
        assertThat(problemsOf("{\"alias\": \"" + "x".repeat(60_000) + "\"}")).contains(
                "alias: must match [A-Za-z0-9._:-]{1,128}, got \"" + "x".repeat(63) + "... (60002 characters)");
    }

    @Test
    void shouldTurnHostileYamlIntoProblems() {
        assertThatThrownBy(() -> RolloutSpecs.parse("alias: a\nalias: b\n", true))
                .isInstanceOf(InvalidRolloutException.class)
                .hasMessageContaining("document: not valid YAML: Duplicate field 'alias'");
        // Jackson's YAML reader refuses .nan and .inf itself, before any range check.
        assertThatThrownBy(() -> RolloutSpecs.parse(minimal("").replace("0.01", ".nan"), true))
                .isInstanceOf(InvalidRolloutException.class)
                .extracting(e -> ((InvalidRolloutException) e).problems()).asList().singleElement().asString()
                .startsWith("document: not valid YAML: Malformed numeric value '.nan'");
        assertThatThrownBy(() -> RolloutSpecs.parse("steps:\n  - weight: .inf\n", true))
                .isInstanceOf(InvalidRolloutException.class).hasMessageContaining("not valid YAML");
        assertThatThrownBy(() -> RolloutSpecs.parse("a: [" + "[".repeat(100) + "]".repeat(100) + "]", true))
                .isInstanceOf(InvalidRolloutException.class).hasMessageContaining("document: not valid YAML");
        String aliasBomb = String.join("\n", "a: &a [x, x, x, x, x, x, x, x, x]", "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]",
                "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]", "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]",
                "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]", "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]",
                "g: [*f, *f, *f, *f, *f, *f, *f, *f, *f]", "");
        // Jackson reads YAML as events and never expands an alias into copies, so 9^7 nodes are never
        // built: the bomb is merely a document with unknown fields.
        assertThatThrownBy(() -> RolloutSpecs.parse(aliasBomb, true)).isInstanceOf(InvalidRolloutException.class)
                .extracting(e -> ((InvalidRolloutException) e).problems()).asList()
                .contains("g: unknown field (expected one of [alias, candidate, criteria, gate, onFailure, shadowFirst, steps])")
                .hasSize(11);
        assertThatThrownBy(() -> RolloutSpecs.parse("steps: [", true))
                .isInstanceOf(InvalidRolloutException.class).hasMessageContaining("document: not valid YAML");
    }

    @Test
    void shouldCheckTheSpecAgainstTheRoutes() {
        RolloutSpec unknown = RolloutSpecs.parse(minimal("").replace("support-bot", "nobody").replace("support-v2", "support-v9"), false);
        assertThat(RolloutSpecs.problems(unknown, ROUTES)).containsExactly(
                "alias: no alias named 'nobody' (known: [support-bot, ramped, v2-only])",
                "candidate: no version named 'support-v9' (known: [support-v1, support-v2, support-v3]); add it to the routes first");

        RolloutSpec onlyVersion = RolloutSpecs.parse(minimal("").replace("support-bot", "v2-only"), false);
        assertThat(RolloutSpecs.problems(onlyVersion, ROUTES)).containsExactly(
                "candidate: 'support-v2' already serves all of alias 'v2-only' (split {support-v2=100.0, support-v1=0.0});"
                        + " there is no baseline to compare it with or roll back to");

        RolloutSpec belowCurrentShare = RolloutSpecs.parse(minimal("").replace("support-bot", "ramped"), false);
        assertThat(RolloutSpecs.problems(belowCurrentShare, ROUTES)).containsExactly(
                "steps[0].weight: the candidate already serves 30% of 'ramped', more than the first step's 10%;"
                        + " start at 30 or more, or take it out of the split first");
        assertThatThrownBy(() -> RolloutSpecs.requireStartable(belowCurrentShare, ROUTES))
                .isInstanceOf(InvalidRolloutException.class).hasMessageContaining("already serves 30%");

        RolloutSpec fromCurrentShare = RolloutSpecs.parse(minimal("").replace("support-bot", "ramped").replace("10}", "30}"), false);
        assertThat(RolloutSpecs.problems(fromCurrentShare, ROUTES)).isEmpty();
    }

    @Test
    void shouldAcceptALastStepBelowHundredBecausePromotionSetsHundred() {
        RolloutSpec spec = RolloutSpecs.parse(minimal("").replace("[{\"weight\": 10}]", "[{\"weight\": 10}, {\"weight\": 50}]"), false);

        assertThat(RolloutSpecs.problems(spec, ROUTES)).isEmpty();
        assertThat(StepWeights.promoted(spec.candidate())).containsExactly(Map.entry("support-v2", 100.0));
    }

    @Test
    void shouldRefuseInCodeWhatTheParserNeverProduces() {
        assertThatThrownBy(() -> new RolloutSpec.Step(0, 1, 1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RolloutSpec("a", "b", null, List.of(new RolloutSpec.Step(10, 1, 1, 1)), Map.of(), OnFailure.PAUSE))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RolloutSpec("a", "b", null,
                List.of(new RolloutSpec.Step(10, 1, 1, 1), new RolloutSpec.Step(10, 1, 1, 1)),
                Map.of(Criterion.ERROR_RATE, 0.01), OnFailure.PAUSE)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RolloutSpec("a", "b", null, List.of(new RolloutSpec.Step(10, 1, 1, 1)),
                Map.of(Criterion.LATENCY_P95, 0.5), OnFailure.PAUSE)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("criteria.latencyP95.maxRatio");
    }
}
