package dev.turnout.e2e;

import static dev.turnout.e2e.RolloutTest.awaitRollout;
import static dev.turnout.e2e.RolloutTest.events;
import static dev.turnout.e2e.RolloutTest.metric;
import static dev.turnout.e2e.RolloutTest.state;
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
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Probes end to end with the shipped golden set, simulators that answer it ({@code --skill}), one of
 * them drifting after its first run ({@code --drift-after}), and real embedding inference for the
 * semantic items.
 */
class ProbeTest {

    private static final Path GOLDEN = Path.of("conf/golden/support-golden.jsonl");

    private final Vertx vertx = Vertx.vertx();
    private Gateway gateway;
    private String admin;

    /** Requests one run sends a version: every item, and the items whose answers are compared once more. */
    private static long requestsPerRun() throws IOException {
        long items = 0;
        long compared = 0;
        for (String line : Files.readAllLines(GOLDEN)) {
            if (line.isBlank()) continue;
            items++;
            JsonNode check = Http.JSON.readTree(line).get("check");
            String kind = check.path("kind").asText(check.path("type").asText());
            if (kind.equals("exact") || kind.equals("semantic")) compared++;
        }
        return items + compared;
    }

    @BeforeEach
    void start() throws IOException {
        SimServer stable = Fixtures.sim(vertx, SimOptions.defaults("model-a").withSkill(true).withParaphrase(true));
        SimServer drifting = Fixtures.sim(vertx, SimOptions.defaults("model-b").withSkill(true).withParaphrase(true).withDriftAfter(requestsPerRun()));
        SimServer unskilled = Fixtures.sim(vertx, SimOptions.defaults("model-c"));
        GatewayConfig config = Fixtures.config(false, 1 << 20).withRollouts(RolloutTest.FAST)
                .withDiffs(new GatewayConfig.Diffs("", false, new GatewayConfig.Semantic(true, 1.0, 1, 512, 64, 0.05, 30)));
        SentenceEmbedder.shared(SentenceEmbedder.Model.MINI_LM_L6_V2_Q, 512);
        gateway = Fixtures.gateway(vertx, config, RouteCodec.fromYaml(String.join("\n",
                "versions:",
                "  model-a: { url: '" + stable.baseUrl() + "' }",
                "  model-b: { url: '" + drifting.baseUrl() + "' }",
                "  model-c: { url: '" + unskilled.baseUrl() + "' }",
                "aliases:",
                "  bot: { split: { model-a: 100 } }",
                "")), Map.of());
        admin = "http://127.0.0.1:" + gateway.adminPort();
        HttpResponse<String> stored = Http.send(Http.put(admin + "/admin/golden-sets/support-golden", Files.readString(GOLDEN),
                "content-type", "application/jsonl"));
        assertThat(stored.statusCode()).as(stored.body()).isEqualTo(200);
    }

    @AfterEach
    void stop() {
        if (gateway != null) await(gateway.close());
        await(vertx.close());
    }

    private JsonNode runNow(String probe) {
        HttpResponse<String> run = Http.send(post(admin + "/admin/probes/" + probe + "/run", ""));
        assertThat(run.statusCode()).as(run.body()).isEqualTo(200);
        return json(run);
    }

    private static JsonNode version(JsonNode run, String name) {
        for (JsonNode entry : run.get("versions")) if (entry.get("version").asText().equals(name)) return entry;
        throw new AssertionError(name + " not in " + run);
    }

    @Test
    void shouldFlagADriftingVersionWithinTwoRunsAndAStableOneNeverOverTwenty() {
        HttpResponse<String> put = Http.send(Http.put(admin + "/admin/probes/watch",
                "{\"set\": \"support-golden\", \"versions\": [\"model-a\", \"model-b\"], \"concurrency\": 4}"));
        assertThat(put.statusCode()).as(put.body()).isEqualTo(200);

        JsonNode first = runNow("watch");
        assertThat(version(first, "model-a").get("passRate").asDouble()).as(first.toPrettyString()).isEqualTo(1.0);
        assertThat(version(first, "model-b").get("passRate").asDouble()).isEqualTo(1.0);
        assertThat(version(first, "model-b").has("drift")).isFalse(); // the first run is the baseline

        JsonNode second = runNow("watch");
        JsonNode drifted = version(second, "model-b").get("drift");
        assertThat(drifted.get("drifted").asBoolean()).as(drifted.toString()).isTrue();
        assertThat(drifted.get("reason").asText()).contains("below the baseline");
        assertThat(metric(admin, "turnout_probe_drift{probe=\"watch\",version=\"model-b\"}")).isEqualTo(1.0);

        for (int run = 2; run <= 20; run++) {
            JsonNode result = run == 2 ? second : runNow("watch");
            JsonNode stable = version(result, "model-a");
            assertThat(stable.get("drift").get("drifted").asBoolean()).as("run " + run + ": " + stable).isFalse();
            assertThat(stable.get("passRate").asDouble()).isEqualTo(1.0);
        }
        assertThat(metric(admin, "turnout_probe_drift{probe=\"watch\",version=\"model-a\"}")).isEqualTo(0.0);
        assertThat(metric(admin, "turnout_probe_pass_ratio{probe=\"watch\",version=\"model-a\"}")).isEqualTo(1.0);
        JsonNode results = json(Http.get(admin + "/admin/probes/watch/results?limit=3&items=true"));
        assertThat(results.get("runs")).hasSize(3);
        assertThat(results.at("/runs/0/versions/0/items")).isNotEmpty();
    }

    @Test
    void shouldRunAScheduledProbeOnTheLeader() {
        Http.send(Http.put(admin + "/admin/probes/every-second", "{\"set\": \"support-golden\", \"alias\": \"bot\", \"everySeconds\": 1}"));

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        JsonNode results;
        do {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
            results = json(Http.get(admin + "/admin/probes/every-second/results"));
        } while (results.get("runs").size() < 2 && System.nanoTime() < deadline);
        assertThat(results.get("runs").size()).isGreaterThanOrEqualTo(2);
        assertThat(results.at("/runs/0/trigger").asText()).isEqualTo("schedule");
        assertThat(results.at("/runs/0/versions/0/version").asText()).isEqualTo("model-a");
    }

    @Test
    void shouldStopARolloutWhoseCandidateFailsTheGateAndLetOneThatPassesGoOn() {
        Http.send(Http.put(admin + "/admin/probes/support-gate", "{\"set\": \"support-golden\", \"alias\": \"bot\"}"));
        String gate = ", \"gate\": {\"probe\": \"support-gate\", \"minPassRate\": 0.9, \"maxDropVsBaseline\": 0.02}";

        JsonNode failing = RolloutTest.create(admin, "{\"alias\": \"bot\", \"candidate\": \"model-c\", \"steps\": [{\"weight\": 10}],"
                + " \"criteria\": {\"errorRate\": {\"maxIncrease\": 0.05}}" + gate + "}");
        assertThat(failing.get("state").asText()).isEqualTo("gating");
        JsonNode stopped = awaitRollout(admin, failing.get("id").asText(), state("rolled_back"), Duration.ofSeconds(60));
        assertThat(events(stopped)).contains("gate").doesNotContain("routes");
        assertThat(stopped.get("reason").asText()).contains("gate failed").contains("minPassRate");
        assertThat(json(Http.get(admin + "/admin/routes")).at("/aliases/bot/split").toString()).isEqualTo("{\"model-a\":100}");

        JsonNode passing = RolloutTest.create(admin, "{\"alias\": \"bot\", \"candidate\": \"model-b\", \"steps\": [{\"weight\": 10}],"
                + " \"criteria\": {\"errorRate\": {\"maxIncrease\": 0.05}}" + gate + "}");
        JsonNode running = awaitRollout(admin, passing.get("id").asText(),
                rollout -> rollout.get("state").asText().equals("running") && rollout.get("servedWeight").asDouble() == 10.0,
                Duration.ofSeconds(60));
        assertThat(events(running)).containsSubsequence("created", "gate", "routes");
        assertThat(running.at("/log/1/detail").asText()).startsWith("passed: probe 'support-gate'");
    }
}
