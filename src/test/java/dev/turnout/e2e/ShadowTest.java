package dev.turnout.e2e;

import static dev.turnout.testing.Fixtures.await;
import static dev.turnout.testing.Http.chat;
import static dev.turnout.testing.Http.json;
import static dev.turnout.testing.Http.post;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.turnout.Gateway;
import dev.turnout.config.GatewayConfig;
import dev.turnout.route.RouteCodec;
import dev.turnout.sim.SimOptions;
import dev.turnout.sim.SimServer;
import dev.turnout.testing.Fixtures;
import dev.turnout.testing.Http;
import io.vertx.core.Vertx;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Shadow traffic end to end: candidates never touch the client, and every pair is reported. */
class ShadowTest {

    private Vertx vertx;
    private SimServer primary;
    private Gateway gateway;

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        primary = Fixtures.sim(vertx, SimOptions.defaults("support-v1").withTokens(12));
    }

    @AfterEach
    void stop() {
        if (gateway != null) await(gateway.close());
        await(vertx.close());
    }

    private void startGateway(SimServer candidate, String aliasExtras, GatewayConfig.Shadow shadow) {
        GatewayConfig config = Fixtures.config(false, 1 << 20).withShadow(shadow);
        gateway = Fixtures.gateway(vertx, config, RouteCodec.fromYaml(String.join("\n",
                "versions:",
                "  support-v1: { url: '" + primary.baseUrl() + "' }",
                "  support-v2: { url: '" + candidate.baseUrl() + "' }",
                "aliases:",
                "  support-bot: { split: { support-v1: 1 }, " + aliasExtras + " }",
                "")), Map.of());
    }

    private String base() {
        return "http://127.0.0.1:" + gateway.port();
    }

    private String admin() {
        return "http://127.0.0.1:" + gateway.adminPort();
    }

    private JsonNode report() {
        return json(Http.get(admin() + "/admin/diffs")).get("candidates");
    }

    private JsonNode awaitReport(Predicate<JsonNode> done) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            JsonNode report = report();
            if (done.test(report)) return report;
            if (System.nanoTime() > deadline) throw new AssertionError("report never reached the expected state: " + report);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    @Test
    void shouldAnswerAtThePrimarysPaceWhileASlowCandidateIsShadowedAndReportEveryPair() {
        SimServer slow = Fixtures.sim(vertx, SimOptions.defaults("support-v2").withLatencyMs(2_000));
        startGateway(slow, "shadow: [ { version: support-v2, sample: 1.0 } ]", GatewayConfig.Shadow.defaults());
        List<HttpResponse<String>> answers = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            answers.add(Http.send(post(base() + "/v1/chat/completions", "{\"model\":\"support-bot\",\"messages\":"
                    + "[{\"role\":\"user\",\"content\":\"question " + i + "\"}]}")));
        }
        // Every client answer is in, yet no pair is: the 2 s candidate is still thinking, so no
        // client waited for it.
        assertThat(answers).allSatisfy(answer -> {
            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(answer.headers().firstValue("x-sim-name")).contains("support-v1");
        });
        assertThat(report().size() == 0 || report().get(0).get("pairs").asLong() == 0).isTrue();
        JsonNode entry = awaitReport(r -> r.size() == 1 && r.get(0).get("pairs").asLong() == 5).get(0);
        assertThat(json(Http.get(admin() + "/admin/diffs")).get("semantic").asText())
                .as("the test fixtures turn semantic diffs off").isEqualTo("disabled");
        assertThat(entry.get("alias").asText()).isEqualTo("support-bot");
        assertThat(entry.get("candidate").asText()).isEqualTo("support-v2");
        assertThat(entry.get("primary").asText()).isEqualTo("support-v1");
        assertThat(entry.at("/verdicts/error").asLong()).isZero();
        assertThat(entry.at("/latencyDeltaMs/p50").asDouble()).isGreaterThan(1_500);
        assertThat(slow.requestCount()).isEqualTo(5);
        JsonNode samples = json(Http.get(admin() + "/admin/diffs/samples?alias=support-bot&candidate=support-v2"));
        assertThat(samples.size()).isEqualTo(5);
        assertThat(samples.get(0).get("primaryText").asText()).isNotBlank();
        assertThat(samples.get(0).get("candidateText").asText()).isNotBlank();
        assertThat(samples.get(0).get("request").asText()).contains("question");
    }

    @Test
    void shouldDropAndCountShadowsWhenThePoolIsFull() {
        SimServer slow = Fixtures.sim(vertx, SimOptions.defaults("support-v2").withLatencyMs(3_000));
        startGateway(slow, "shadow: [ { version: support-v2, sample: 1.0 } ]", new GatewayConfig.Shadow(64, 2, 256 * 1024, 60_000));
        for (int i = 0; i < 10; i++) {
            assertThat(Http.send(post(base() + "/v1/chat/completions", chat("support-bot"))).statusCode()).isEqualTo(200);
        }
        JsonNode entry = awaitReport(r -> r.size() == 1 && r.get(0).get("pairs").asLong() == 2).get(0);
        assertThat(entry.get("shadowDrops").asLong()).isEqualTo(8);
        // Dropped, not queued: the candidate only ever saw the two that fitted.
        assertThat(slow.requestCount()).isEqualTo(2);
        String metrics = Http.get(admin() + "/metrics").body();
        assertThat(metrics).contains("turnout_shadow_dropped_total{reason=\"version_limit\"} 8.0");
    }

    @Test
    void shouldShedPairsThatDoNotFitTheByteBudgetAndCountThem() {
        // A 300-token stream is ~45 KiB; with 32 KiB for all shadow captures no pair can fit.
        SimServer verbose = Fixtures.sim(vertx, SimOptions.defaults("support-v2").withTokens(300));
        startGateway(verbose, "shadow: [ { version: support-v2, sample: 1.0 } ]",
                new GatewayConfig.Shadow(64, 32, 256 * 1024, 60_000, 32 * 1024));
        for (int i = 0; i < 6; i++) {
            HttpResponse<String> answer = Http.send(post(base() + "/v1/chat/completions", "{\"model\":\"support-bot\",\"stream\":true,"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"question " + i + "\"}]}"));
            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(answer.body()).endsWith("data: [DONE]\n\n");
        }
        JsonNode entry = awaitReport(r -> r.size() == 1 && r.get(0).get("shadowDrops").asLong() == 6).get(0);
        assertThat(entry.get("pairs").asLong()).isZero();
        String metrics = Http.get(admin() + "/metrics").body();
        assertThat(metrics).contains("turnout_shadow_dropped_total{reason=\"differ_backlog\"} 6.0");
        // Shed captures gave their bytes back while the answers were still streaming.
        assertThat(metrics).contains("turnout_shadow_held_bytes 0.0");
        assertThat(verbose.requestCount()).isEqualTo(6);
    }

    @Test
    void shouldRecordErrorPairsForAFailingCandidateAndChangeNothingForClients() {
        SimServer failing = Fixtures.sim(vertx, SimOptions.defaults("support-v2").withErrorRate(1.0));
        startGateway(failing, "shadow: [ { version: support-v2, sample: 1.0 } ]", GatewayConfig.Shadow.defaults());
        String expected = json(Http.send(post("http://127.0.0.1:" + primary.port() + "/v1/chat/completions", chat("x"))))
                .at("/choices/0/message/content").asText();
        for (int i = 0; i < 4; i++) {
            HttpResponse<String> answer = Http.send(post(base() + "/v1/chat/completions", chat("support-bot")));
            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(json(answer).at("/choices/0/message/content").asText()).isEqualTo(expected);
        }
        JsonNode entry = awaitReport(r -> r.size() == 1 && r.get(0).get("pairs").asLong() == 4).get(0);
        assertThat(entry.at("/verdicts/error").asLong()).isEqualTo(4);
        assertThat(entry.get("errorRate").asDouble()).isEqualTo(1.0);
        JsonNode sample = json(Http.get(admin() + "/admin/diffs/samples?verdict=error&limit=1")).get(0);
        assertThat(sample.at("/metrics/errorCandidate").asText()).isEqualTo("http_500:server_error");
    }

    @Test
    void shouldNotShadowARequestThatTheCandidateAlreadyServes() {
        SimServer candidate = Fixtures.sim(vertx, SimOptions.defaults("support-v2"));
        startGateway(candidate, "shadow: [ { version: support-v2, sample: 1.0 } ], pins: { tester: support-v2 }",
                GatewayConfig.Shadow.defaults());
        HttpResponse<String> pinned = Http.send(post(base() + "/v1/chat/completions", chat("support-bot"), "x-turnout-client", "tester"));
        assertThat(pinned.headers().firstValue("x-turnout-version")).contains("support-v2");
        Http.send(post(base() + "/v1/chat/completions", chat("support-bot"), "x-turnout-client", "someone"));
        // Pairs are compared in order: once the second request's pair is in, the first would be too.
        JsonNode entry = awaitReport(r -> r.size() >= 1 && r.get(0).get("pairs").asLong() >= 1).get(0);
        assertThat(entry.get("pairs").asLong()).isEqualTo(1);
        assertThat(entry.get("primary").asText()).isEqualTo("support-v1");
        assertThat(candidate.requestCount()).isEqualTo(2);
    }

    @Test
    void shouldShadowStreamsAndMeasureTheNoiseFloor() {
        SimServer candidate = Fixtures.sim(vertx, SimOptions.defaults("support-v2").withTokens(12));
        startGateway(candidate, "shadow: [ { version: support-v2, sample: 1.0 } ], noiseSample: 1.0", GatewayConfig.Shadow.defaults());
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> answer = Http.send(post(base() + "/v1/chat/completions", "{\"model\":\"support-bot\",\"stream\":true,"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"streamed question " + i + "\"}]}"));
            assertThat(answer.body()).endsWith("data: [DONE]\n\n");
        }
        JsonNode entry = awaitReport(r -> r.size() == 1 && r.get(0).get("pairs").asLong() == 20
                && r.get(0).get("noisePairs").asLong() == 20).get(0);
        assertThat(entry.at("/verdicts/error").asLong()).isZero();
        // Two fine-tunes: mostly alike, not identical; the simulator is deterministic, so the
        // primary asked twice never differs from itself.
        assertThat(entry.at("/verdicts/same").asLong()).isLessThan(20);
        assertThat(entry.get("changedRate").asDouble()).isGreaterThan(0.0);
        assertThat(entry.get("noiseChangedRate").asDouble()).isEqualTo(0.0);
        assertThat(entry.at("/completionTokenDelta/p50").asDouble()).isEqualTo(0.0);
        JsonNode noise = json(Http.get(admin() + "/admin/diffs/samples?kind=noise&limit=1")).get(0);
        assertThat(noise.get("candidate").asText()).isEqualTo("support-v1");
        assertThat(noise.at("/metrics/verdict").asText()).isEqualTo("same");
    }
}
