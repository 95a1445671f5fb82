package dev.turnout.e2e;

import static dev.turnout.testing.Http.json;
import static dev.turnout.testing.Http.post;
import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.Gateway;
import dev.turnout.evidence.ArmEvidence;
import dev.turnout.evidence.StepEvidence;
import dev.turnout.evidence.Tracked;
import dev.turnout.sim.SimOptions;
import dev.turnout.sim.SimServer;
import dev.turnout.testing.Fixtures;
import dev.turnout.testing.Http;
import io.vertx.core.Vertx;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A tracked alias split between two simulators: what the data plane records as the step's evidence. */
class RolloutEvidenceTest {

    private static final int REQUESTS = 200;

    private Vertx vertx;
    private Gateway gateway;

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        SimServer stable = Fixtures.sim(vertx, SimOptions.defaults("stable").withTokens(12));
        SimServer flaky = Fixtures.sim(vertx, SimOptions.defaults("flaky").withTokens(30).withErrorRate(0.2));
        gateway = Fixtures.gateway(vertx, String.join("\n",
                "versions:",
                "  stable: { url: '" + stable.baseUrl() + "' }",
                "  flaky: { url: '" + flaky.baseUrl() + "' }",
                "  other: { url: '" + stable.baseUrl() + "' }",
                "aliases:",
                "  bot: { split: { stable: 50, flaky: 50 } }",
                "  untracked: { split: { other: 1 } }",
                ""));
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

    private static List<Double> boxed(double[] values) {
        return java.util.Arrays.stream(values).boxed().toList();
    }
}
