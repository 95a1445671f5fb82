package dev.turnout.e2e;

import static dev.turnout.testing.Http.json;
import static dev.turnout.testing.Http.post;
import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.Gateway;
import dev.turnout.config.GatewayConfig;
import dev.turnout.evidence.ArmEvidence;
import dev.turnout.evidence.StepEvidence;
import dev.turnout.evidence.Tracked;
import dev.turnout.route.RouteCodec;
import dev.turnout.sim.SimOptions;
import dev.turnout.sim.SimServer;
import dev.turnout.testing.Fixtures;
import dev.turnout.testing.Http;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A tracked alias split between two simulators: what the data plane records as the step's evidence. */
class RolloutEvidenceTest {

    private static final int REQUESTS = 200;

    private final Set<String> seen = ConcurrentHashMap.newKeySet();
    private Vertx vertx;
    private Gateway gateway;

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        SimServer stable = Fixtures.sim(vertx, SimOptions.defaults("stable").withTokens(12));
        SimServer flaky = Fixtures.sim(vertx, SimOptions.defaults("flaky").withTokens(30).withErrorRate(0.2));
        // Answers the first attempt of a question marked "retry me" 503 (retryable), its retry 200.
        HttpServer retried = Fixtures.await(vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
            if (body.toString().contains("retry me") && seen.add(body.toString())) {
                request.response().setStatusCode(503).end();
            } else {
                request.response().putHeader("content-type", "application/json").end("{\"id\":\"x\",\"object\":\"chat.completion\","
                        + "\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":5,\"total_tokens\":8}}");
            }
        })).listen(0, "127.0.0.1"));
        // The tests track steps by hand: the rollout engine, which tracks what the active rollouts say
        // (none here), looks once at start and then not for a minute, so it never undoes that.
        GatewayConfig config = Fixtures.config(false, 4L << 20).withRollouts(new GatewayConfig.Rollouts(60_000, 120_000, 100));
        gateway = Fixtures.gateway(vertx, config, RouteCodec.fromYaml(String.join("\n",
                "versions:",
                "  stable: { url: '" + stable.baseUrl() + "' }",
                "  flaky: { url: '" + flaky.baseUrl() + "' }",
                "  other: { url: '" + stable.baseUrl() + "' }",
                "  retried: { url: 'http://127.0.0.1:" + retried.actualPort() + "/v1' }",
                "aliases:",
                "  bot: { split: { stable: 50, flaky: 50 } }",
                "  retry-bot: { split: { stable: 50, retried: 50 } }",
                "  untracked: { split: { other: 1 } }",
                "")), Map.of());
        RolloutTest.awaitFirstLook(gateway);
    }

    @AfterEach
    void stop() {
        Fixtures.await(gateway.close());
        Fixtures.await(vertx.close());
    }

    @Test
    void shouldRecordEachArmOfATrackedSplit() {
        Tracked tracked = new Tracked("rollout-7", "bot", "flaky", "step-1");
        gateway.evidence().track(List.of(tracked));
        List<HttpRequest.Builder> requests = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
            String body = "{\"model\":\"bot\",\"user\":\"user-" + i + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Question "
                    + i + ": where is order " + (i * 7919) + "?\"}]}";
            requests.add(post("http://127.0.0.1:" + gateway.port() + "/v1/chat/completions", body, "x-turnout-client", "client-" + i));
        }
        requests.add(post("http://127.0.0.1:" + gateway.port() + "/v1/chat/completions", Http.chat("untracked")));
        List<HttpResponse<String>> answers = Http.sendAll(requests, 16);

        Map<String, List<Double>> tokens = new HashMap<>();
        Map<String, Integer> sent = new HashMap<>();
        Map<String, Integer> failed = new HashMap<>();
        for (HttpResponse<String> answer : answers.subList(0, REQUESTS)) {
            assertThat(answer.headers().firstValue("x-turnout-decision")).hasValue("split");
            String version = answer.headers().firstValue("x-turnout-version").orElseThrow();
            sent.merge(version, 1, Integer::sum);
            if (answer.statusCode() == 200) {
                tokens.computeIfAbsent(version, v -> new ArrayList<>()).add(json(answer).path("usage").path("completion_tokens").asDouble());
            } else {
                failed.merge(version, 1, Integer::sum);
            }
        }
        assertThat(failed).containsOnlyKeys("flaky");

        Map<dev.turnout.evidence.StepRef, StepEvidence> snapshot = gateway.evidence().snapshot();
        assertThat(snapshot).containsOnlyKeys(tracked.ref());
        StepEvidence step = snapshot.get(tracked.ref());
        ArmEvidence candidate = step.candidate();
        ArmEvidence baseline = step.baseline();
        assertThat(candidate.requests() + baseline.requests()).isEqualTo(REQUESTS);
        assertThat(candidate.requests()).isEqualTo(sent.get("flaky").longValue());
        assertThat(baseline.requests()).isEqualTo(sent.get("stable").longValue());
        assertThat(candidate.errors()).isEqualTo(failed.get("flaky").longValue()).isPositive();
        assertThat(baseline.errors()).isZero();
        assertThat(boxed(candidate.latencyMillis(1000))).hasSize((int) candidate.requests()).allSatisfy(ms -> assertThat(ms).isPositive());
        assertThat(baseline.ttftMillis(1000)).hasSize((int) baseline.requests());
        assertThat(boxed(candidate.completionTokens(1000))).containsExactlyInAnyOrderElementsOf(tokens.get("flaky"));
        assertThat(boxed(baseline.completionTokens(1000))).containsExactlyInAnyOrderElementsOf(tokens.get("stable"));
        assertThat(tokens.get("flaky")).doesNotContainAnyElementsOf(tokens.get("stable")); // so the above tells the arms apart
    }

    @Test
    void shouldCountARetriedCallAsAnErrorOfItsVersion() {
        Tracked tracked = new Tracked("rollout-8", "retry-bot", "retried", "step-1");
        gateway.evidence().track(List.of(tracked));
        List<HttpRequest.Builder> requests = new ArrayList<>();
        for (int i = 0; i < 50; i++) { // one in four retried: few enough failures to keep the breaker closed
            requests.add(post("http://127.0.0.1:" + gateway.port() + "/v1/chat/completions", "{\"model\":\"retry-bot\",\"messages\":"
                    + "[{\"role\":\"user\",\"content\":\"question " + i + (i % 4 == 0 ? ", retry me" : "") + "\"}]}", "x-turnout-client", "client-" + i));
        }
        List<HttpResponse<String>> answers = Http.sendAll(requests, 8);
        assertThat(answers).allSatisfy(answer -> assertThat(answer.statusCode()).isEqualTo(200));
        long retried = answers.stream().filter(answer -> answer.headers().firstValue("x-turnout-version").orElseThrow().equals("retried")).count();
        StepEvidence step = gateway.evidence().snapshot().get(tracked.ref());
        assertThat(step.candidate().requests()).isEqualTo(retried);
        assertThat(step.candidate().errors()).isEqualTo(seen.size()).isPositive(); // each answered 200, on its second attempt
        assertThat(boxed(step.candidate().completionTokens(100))).hasSize((int) retried).containsOnly(5.0);
        assertThat(step.baseline().requests()).isEqualTo(50 - retried);
        assertThat(step.baseline().errors()).isZero();
    }

    private static List<Double> boxed(double[] values) {
        return java.util.Arrays.stream(values).boxed().toList();
    }
}
