package dev.turnout.e2e;

import static dev.turnout.testing.Fixtures.await;
import static dev.turnout.testing.Http.json;
import static dev.turnout.testing.Http.post;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.turnout.Gateway;
import dev.turnout.config.GatewayConfig;
import dev.turnout.route.RouteCodec;
import dev.turnout.semantic.SentenceEmbedder;
import dev.turnout.sim.SimOptions;
import dev.turnout.sim.SimServer;
import dev.turnout.testing.Fixtures;
import dev.turnout.testing.Http;
import dev.turnout.testing.Traffic;
import io.vertx.core.Vertx;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Rollouts end to end on one instance (in-memory stores), time compressed: the engine looks every
 * 100 ms and steps need a second and a hundred candidate requests. The simulator plays each kind of
 * candidate; real traffic from 400 sticky clients runs while the rollout decides on its own.
 */
class RolloutTest {

    static final GatewayConfig.Rollouts FAST = new GatewayConfig.Rollouts(100, 1_000, 100);
    private static final long BASELINE_LATENCY_MS = 20;

    private final Vertx vertx = Vertx.vertx();
    private Gateway gateway;

    @AfterEach
    void stop() {
        if (gateway != null) await(gateway.close());
        await(vertx.close());
    }

    private String start(SimOptions candidate, boolean semantic) {
        SimServer v1 = Fixtures.sim(vertx, SimOptions.defaults("support-v1").withLatencyMs(BASELINE_LATENCY_MS).withParaphrase(true));
        SimServer v2 = Fixtures.sim(vertx, candidate);
        GatewayConfig config = Fixtures.config(false, 1 << 20).withRollouts(FAST);
        if (semantic) {
            config = config.withDiffs(new GatewayConfig.Diffs("", false, new GatewayConfig.Semantic(true, 1.0, 1, 512, 1024, 0.05, 30)));
            SentenceEmbedder.shared(SentenceEmbedder.Model.MINI_LM_L6_V2_Q, 512);
        }
        gateway = Fixtures.gateway(vertx, config, RouteCodec.fromYaml(String.join("\n",
                "versions:",
                "  support-v1: { url: '" + v1.baseUrl() + "' }",
                "  support-v2: { url: '" + v2.baseUrl() + "' }",
                "aliases:",
                "  support-bot: { split: { support-v1: 100 }, pins: { tester: support-v1 } }",
                "")), Map.of());
        return "http://127.0.0.1:" + gateway.adminPort();
    }

    private String data() {
        return "http://127.0.0.1:" + gateway.port();
    }

    static String spec(String steps, String criteria, String extra) {
        return "{\"alias\": \"support-bot\", \"candidate\": \"support-v2\", \"steps\": [" + steps + "], \"criteria\": {"
                + criteria + "}" + extra + "}";
    }

    static final String THREE_STEPS = "{\"weight\": 10, \"minRequests\": 100, \"minSeconds\": 1, \"maxSeconds\": 60},"
            + " {\"weight\": 50}, {\"weight\": 100}";

    static JsonNode create(String admin, String spec) {
        HttpResponse<String> created = Http.send(post(admin + "/admin/rollouts", spec, "x-turnout-author", "ops@example.com"));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(created.headers().firstValue("location")).hasValue("/admin/rollouts/" + json(created).get("id").asText());
        return json(created);
    }

    static JsonNode awaitRollout(String admin, String id, Predicate<JsonNode> done, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            HttpResponse<String> response = Http.get(admin + "/admin/rollouts/" + id);
            if (response.statusCode() == 200) {
                last = json(response);
                if (done.test(last)) return last;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
        throw new AssertionError("rollout " + id + " did not get there within " + within + "; last: "
                + (last == null ? "none" : last.toPrettyString()));
    }

    static Predicate<JsonNode> state(String state) {
        return rollout -> rollout.get("state").asText().equals(state) && !rollout.has("pending");
    }

    static List<String> events(JsonNode rollout) {
        List<String> events = new ArrayList<>();
        rollout.get("log").forEach(entry -> events.add(entry.get("event").asText()));
        return events;
    }

    /** The route history's rollout writes, oldest first, as the alias's split. */
    static List<JsonNode> rolloutWrites(String admin, String id) {
        List<JsonNode> writes = new ArrayList<>();
        for (JsonNode entry : json(Http.get(admin + "/admin/history?limit=100&tables=true"))) {
            if (entry.get("author").asText().equals("rollout:" + id)) {
                assertThat(entry.get("reason").asText()).startsWith("rollout " + id);
                writes.add(0, entry.at("/routes/aliases/support-bot"));
            }
        }
        return writes;
    }

    /** Once the engine's first look is done (it has taken the lease on a single instance). */
    static void awaitFirstLook(Gateway gateway) {
        String admin = "http://127.0.0.1:" + gateway.adminPort();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (metric(admin, "turnout_rollout_leader") != 1.0) {
            if (System.nanoTime() > deadline) throw new AssertionError("the rollout engine never looked");
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    static double metric(String admin, String line) {
        for (String text : Http.get(admin + "/metrics").body().split("\n")) {
            if (text.startsWith(line + " ")) return Double.parseDouble(text.substring(line.length() + 1));
        }
        return Double.NaN;
    }

    @Test
    void shouldPromoteAGoodCandidateThroughEveryStep() {
        String admin = start(SimOptions.defaults("support-v2").withLatencyMs(BASELINE_LATENCY_MS).withParaphrase(true).withSeed(7), false);
        try (Traffic traffic = Traffic.start(List.of(data()), "support-bot", 8, 400, Duration.ofSeconds(90))) {
            JsonNode created = create(admin, spec(THREE_STEPS, "\"errorRate\": {\"maxIncrease\": 0.05},"
                    + " \"latencyP95\": {\"maxRatio\": 1.5}, \"completionTokens\": {\"maxRatio\": 1.3}", ""));
            String id = created.get("id").asText();
            assertThat(created.get("state").asText()).isEqualTo("running");

            JsonNode promoted = awaitRollout(admin, id, state("promoted"), Duration.ofSeconds(80));

            assertThat(events(promoted)).containsSubsequence("created", "pass", "step", "pass", "step", "pass", "promoted");
            assertThat(events(promoted)).doesNotContain("fail", "timed_out", "paused", "rolled_back");
            // Every weight change is an ordinary route write, authored by the rollout, with its judgement as reason.
            List<JsonNode> writes = rolloutWrites(admin, id);
            assertThat(writes).extracting(alias -> alias.at("/split/support-v2").asDouble())
                    .containsExactly(10.0, 50.0, 100.0, 100.0);
            assertThat(writes.get(0).at("/split/support-v1").asDouble()).isEqualTo(90.0);
            assertThat(writes.get(3).get("split").size()).isEqualTo(1);
            assertThat(writes.get(3).at("/pins/tester").asText()).isEqualTo("support-v1"); // what the rollout does not own stays
            assertThat(promoted.get("servedWeight").asDouble()).isEqualTo(100.0);
            assertThat(traffic.servedBy("support-v2")).isGreaterThan(0);
        }
        for (String decision : List.of("pass", "promoted")) {
            assertThat(metric(admin, "turnout_rollout_decisions_total{decision=\"" + decision + "\"}")).isGreaterThanOrEqualTo(1);
        }
        assertThat(metric(admin, "turnout_rollout_decisions_total{decision=\"pass\"}")).isEqualTo(3.0);
        assertThat(metric(admin, "turnout_rollout_decisions_total{decision=\"rolled_back\"}")).isEqualTo(0.0);
        // A final rollout no longer gets a next look, and the data plane serves the candidate alone.
        HttpResponse<String> answer = Http.send(post(data() + "/v1/chat/completions", Http.chat("support-bot")));
        assertThat(answer.headers().firstValue("x-turnout-version")).hasValue("support-v2");
    }

    @Test
    void shouldRollBackACandidateThatErrorsWithinItsFirstStep() {
        String admin = start(SimOptions.defaults("support-v2").withLatencyMs(BASELINE_LATENCY_MS).withErrorRate(0.2), false);
        try (Traffic ignored = Traffic.start(List.of(data()), "support-bot", 8, 400, Duration.ofSeconds(90))) {
            String id = create(admin, spec(THREE_STEPS, "\"errorRate\": {\"maxIncrease\": 0.02}", "")).get("id").asText();

            JsonNode rolledBack = awaitRollout(admin, id, state("rolled_back"), Duration.ofSeconds(60));

            assertThat(rolledBack.get("step").asInt()).isZero();
            assertThat(events(rolledBack)).contains("fail").doesNotContain("pass", "step");
            JsonNode errorRate = rolledBack.get("criteria").get(0);
            assertThat(errorRate.get("criterion").asText()).isEqualTo("errorRate");
            assertThat(errorRate.get("decision").asText()).isEqualTo("fail");
            assertThat(errorRate.get("pValue").asDouble()).isLessThan(0.05);
            assertThat(errorRate.get("candidate").asDouble()).isGreaterThan(errorRate.get("baseline").asDouble());
            assertThat(rolledBack.get("reason").asText()).contains("rolled back").contains("errorRate");
            // The baseline exactly as it was, in the served table and in the last rollout write.
            JsonNode served = json(Http.get(admin + "/admin/routes")).at("/aliases/support-bot");
            assertThat(served.get("split").toString()).isEqualTo("{\"support-v1\":100}");
            assertThat(served.has("shadow")).isFalse();
            List<JsonNode> writes = rolloutWrites(admin, id);
            assertThat(writes).hasSize(2);
            assertThat(writes.get(1)).isEqualTo(served);
        }
        assertThat(metric(admin, "turnout_rollout_decisions_total{decision=\"rolled_back\"}")).isEqualTo(1.0);
    }

    @Test
    void shouldRollBackACandidateFiftyPercentSlowerWithinItsFirstStep() {
        String admin = start(SimOptions.defaults("support-v2").withLatencyMs(BASELINE_LATENCY_MS * 3 / 2), false);
        try (Traffic ignored = Traffic.start(List.of(data()), "support-bot", 8, 400, Duration.ofSeconds(90))) {
            String id = create(admin, spec(THREE_STEPS, "\"errorRate\": {\"maxIncrease\": 0.05}, \"latencyP95\": {\"maxRatio\": 1.2}",
                    "")).get("id").asText();

            JsonNode rolledBack = awaitRollout(admin, id, state("rolled_back"), Duration.ofSeconds(60));

            assertThat(rolledBack.get("step").asInt()).isZero();
            JsonNode latency = rolledBack.get("criteria").get(1);
            assertThat(latency.get("criterion").asText()).isEqualTo("latencyP95");
            assertThat(latency.get("decision").asText()).isEqualTo("fail");
            assertThat(latency.get("estimate").asDouble()).isGreaterThan(1.3);
            assertThat(latency.at("/interval/low").asDouble()).isGreaterThan(1.2);
            assertThat(latency.get("candidate").asDouble()).isGreaterThanOrEqualTo(BASELINE_LATENCY_MS * 1.5);
        }
    }

    @Test
    void shouldRollBackACandidateThatContradictsBeforeItServesAnyone() {
        String admin = start(SimOptions.defaults("support-v2").withLatencyMs(BASELINE_LATENCY_MS).withParaphrase(true)
                .withContradict(0.3).withSeed(11), true);
        try (Traffic traffic = Traffic.start(List.of(data()), "support-bot", 4, 400, Duration.ofSeconds(150))) {
            String id = create(admin, spec(THREE_STEPS, "\"errorRate\": {\"maxIncrease\": 0.05}, \"beyondNoise\": {\"max\": 0.1}",
                    ", \"shadowFirst\": {\"sample\": 1.0, \"minPairs\": 100}")).get("id").asText();

            JsonNode rolledBack = awaitRollout(admin, id, state("rolled_back"), Duration.ofSeconds(140));

            assertThat(rolledBack.get("step").asInt()).isEqualTo(-1); // still shadowing: it never took a client's request
            JsonNode beyond = rolledBack.get("criteria").get(0);
            assertThat(beyond.get("criterion").asText()).isEqualTo("beyondNoise");
            assertThat(beyond.get("decision").asText()).isEqualTo("fail");
            assertThat(beyond.get("candidate").asDouble()).isGreaterThan(0.1);
            assertThat(traffic.servedBy("support-v2")).isZero();
            JsonNode served = json(Http.get(admin + "/admin/routes")).at("/aliases/support-bot");
            assertThat(served.has("shadow")).isFalse();
            assertThat(served.has("noiseSample")).isFalse();
        }
    }

    @Test
    void shouldPauseWhenSomeoneElseChangesTheAliasAndResumeOrAbortOnRequest() {
        String admin = start(SimOptions.defaults("support-v2"), false);
        // No traffic: the first step cannot pass, so the rollout waits while a person edits the alias.
        String id = create(admin, spec(THREE_STEPS, "\"errorRate\": {\"maxIncrease\": 0.05}", "")).get("id").asText();
        awaitRollout(admin, id, rollout -> rollout.get("servedWeight").asDouble() == 10.0, Duration.ofSeconds(10));
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(300)); // one look later, the gauge has it too
        assertThat(metric(admin, "turnout_rollout_weight{alias=\"support-bot\",candidate=\"support-v2\"}")).isEqualTo(10.0);
        assertThat(metric(admin, "turnout_rollout_leader")).isEqualTo(1.0);

        HttpResponse<String> edited = Http.send(Http.patch(admin + "/admin/aliases/support-bot",
                "{\"split\": {\"support-v1\": 70, \"support-v2\": 30}}", "x-turnout-author", "alice"));
        assertThat(edited.statusCode()).as(edited.body()).isEqualTo(200);

        JsonNode paused = awaitRollout(admin, id, state("paused"), Duration.ofSeconds(10));
        assertThat(paused.get("reason").asText()).contains("changed by someone else").contains("never overwrites");
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500));
        assertThat(json(Http.get(admin + "/admin/routes")).at("/aliases/support-bot/split/support-v2").asDouble()).isEqualTo(30.0);

        HttpResponse<String> resumed = Http.send(post(admin + "/admin/rollouts/" + id + "/resume", "", "x-turnout-author", "alice"));
        assertThat(resumed.statusCode()).as(resumed.body()).isEqualTo(200);
        assertThat(json(resumed).get("state").asText()).isEqualTo("running");
        assertThat(json(resumed).get("attempt").asInt()).isEqualTo(2);
        assertThat(json(resumed).get("servedWeight").asDouble()).isEqualTo(10.0);

        HttpResponse<String> pauseAgain = Http.send(post(admin + "/admin/rollouts/" + id + "/pause", ""));
        assertThat(json(pauseAgain).get("state").asText()).isEqualTo("paused");
        HttpResponse<String> aborted = Http.send(post(admin + "/admin/rollouts/" + id + "/abort", "", "x-turnout-reason", "not today"));
        assertThat(aborted.statusCode()).as(aborted.body()).isEqualTo(200);
        assertThat(json(aborted).get("state").asText()).isEqualTo("aborted");
        assertThat(json(aborted).get("reason").asText()).contains("not today");
        assertThat(json(Http.get(admin + "/admin/routes")).at("/aliases/support-bot/split").toString())
                .isEqualTo("{\"support-v1\":100}");

        HttpResponse<String> again = Http.send(post(admin + "/admin/rollouts/" + id + "/resume", ""));
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(json(again).at("/error/message").asText()).contains("aborted");
        JsonNode list = json(Http.get(admin + "/admin/rollouts"));
        assertThat(list.get("rollouts")).singleElement().satisfies(one -> assertThat(one.get("state").asText()).isEqualTo("aborted"));
        assertThat(events(json(Http.get(admin + "/admin/rollouts/" + id))))
                .containsSubsequence("created", "routes", "paused", "resumed", "routes", "paused", "aborted", "routes");
    }

    @Test
    void shouldAnswerEveryBadRequestWithWhatIsWrong() {
        String admin = start(SimOptions.defaults("support-v2"), false);

        HttpResponse<String> invalid = Http.send(post(admin + "/admin/rollouts",
                "{\"alias\": \"nope\", \"candidate\": \"support-v9\", \"steps\": [{\"weight\": 0}], \"criteria\": {\"speed\": 1}}"));
        assertThat(invalid.statusCode()).isEqualTo(422);
        assertThat(json(invalid).at("/error/type").asText()).isEqualTo("invalid_rollout");
        assertThat(json(invalid).at("/error/errors").toString()).contains("steps[0].weight").contains("criteria.speed");
        HttpResponse<String> unknownAlias = Http.send(post(admin + "/admin/rollouts",
                "{\"alias\": \"nope\", \"candidate\": \"support-v9\", \"steps\": [{\"weight\": 10}], \"criteria\": {\"errorRate\": {\"maxIncrease\": 0.01}}}"));
        assertThat(unknownAlias.statusCode()).isEqualTo(422);
        assertThat(json(unknownAlias).at("/error/errors").toString()).contains("no alias named 'nope'").contains("support-v9");
        HttpResponse<String> huge = Http.send(post(admin + "/admin/rollouts", "{\"alias\": \"" + "a".repeat(100_000) + "\"}"));
        assertThat(huge.statusCode()).isEqualTo(422);
        assertThat(json(huge).at("/error/errors/0").asText()).contains("at most 65536 characters");
        HttpResponse<String> deep = Http.send(post(admin + "/admin/rollouts", "[".repeat(5_000) + "]".repeat(5_000)));
        assertThat(deep.statusCode()).isEqualTo(422);
        HttpResponse<String> yaml = Http.send(post(admin + "/admin/rollouts", String.join("\n",
                "alias: support-bot", "candidate: support-v2", "steps: [{weight: 5}]", "criteria: {errorRate: {maxIncrease: 0.01}}", ""),
                "content-type", "application/yaml"));
        assertThat(yaml.statusCode()).as(yaml.body()).isEqualTo(201);
        HttpResponse<String> busy = Http.send(post(admin + "/admin/rollouts", spec(THREE_STEPS, "\"errorRate\": {\"maxIncrease\": 0.01}", "")));
        assertThat(busy.statusCode()).isEqualTo(409);
        assertThat(json(busy).at("/error/message").asText()).contains(json(yaml).get("id").asText());
        assertThat(Http.get(admin + "/admin/rollouts/ro-nothing").statusCode()).isEqualTo(404);
        HttpResponse<String> badAction = Http.send(post(admin + "/admin/rollouts/" + json(yaml).get("id").asText() + "/explode", ""));
        assertThat(badAction.statusCode()).isEqualTo(404);
        assertThat(json(badAction).at("/error/message").asText()).contains("pause").contains("promote");
        HttpResponse<String> promoted = Http.send(post(admin + "/admin/rollouts/" + json(yaml).get("id").asText() + "/promote", ""));
        assertThat(promoted.statusCode()).isEqualTo(200);
        assertThat(json(Http.get(admin + "/admin/routes")).at("/aliases/support-bot/split").toString())
                .isEqualTo("{\"support-v2\":100}");
    }
}
