package dev.turnout.e2e;

import static dev.turnout.testing.Http.chat;
import static dev.turnout.testing.Http.json;
import static dev.turnout.testing.Http.post;
import static dev.turnout.testing.Http.send;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.turnout.Gateway;
import dev.turnout.sim.SimOptions;
import dev.turnout.sim.SimServer;
import dev.turnout.testing.Fixtures;
import dev.turnout.testing.Http;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** The gateway and real simulators on loopback, driven by a JDK HTTP client. */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GatewayEndToEndTest {

    private Vertx vertx;
    private SimServer v1;
    private SimServer v2;
    private SimServer v3;
    private SimServer slow;
    private SimServer failing;
    private Gateway gateway;
    private String base;

    @BeforeAll
    void start() {
        vertx = Vertx.vertx();
        v1 = Fixtures.sim(vertx, "support-v1");
        v2 = Fixtures.sim(vertx, "support-v2");
        v3 = Fixtures.sim(vertx, "support-v3");
        slow = Fixtures.sim(vertx, SimOptions.defaults("slow").withLatencyMs(3_000));
        failing = Fixtures.sim(vertx, SimOptions.defaults("failing").withErrorRate(1.0));
        gateway = Fixtures.gateway(vertx, String.join("\n",
                "versions:",
                "  support-v1: { url: '" + v1.baseUrl() + "', model: 'ft:support:v1' }",
                "  support-v2: { url: '" + v2.baseUrl() + "', model: 'ft:support:v2' }",
                "  support-v3: { url: '" + v3.baseUrl() + "', model: 'ft:support:v3' }",
                "  slow: { url: '" + slow.baseUrl() + "', timeoutMs: 300 }",
                "  failing: { url: '" + failing.baseUrl() + "' }",
                "  gone: { url: 'http://127.0.0.1:1/v1' }",
                "aliases:",
                "  support-bot: { split: { support-v1: 70, support-v2: 30 }, pins: { beta-tester-7: support-v3 } }",
                "  slow-bot: { split: { slow: 1 } }",
                "  failing-bot: { split: { failing: 1 } }",
                "  gone-bot: { split: { gone: 1 } }",
                ""));
        base = "http://127.0.0.1:" + gateway.port();
    }

    @AfterAll
    void stop() {
        Fixtures.await(gateway.close());
        Fixtures.await(vertx.close());
    }

    @Test
    void shouldSplitThreeThousandClients70To30AndKeepEachOnItsVersion() {
        List<HttpRequest.Builder> requests = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            requests.add(post(base + "/v1/chat/completions", chat("support-bot"), "x-turnout-client", "client-" + i));
        }
        List<HttpResponse<String>> first = Http.sendAll(requests, 32);
        List<HttpResponse<String>> second = Http.sendAll(requests, 32);
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 3000; i++) {
            HttpResponse<String> answer = first.get(i);
            assertThat(answer.statusCode()).isEqualTo(200);
            String version = answer.headers().firstValue("x-turnout-version").orElseThrow();
            // The version that answered is the one the header names.
            assertThat(answer.headers().firstValue("x-sim-name")).contains(version);
            assertThat(second.get(i).headers().firstValue("x-turnout-version")).as("client-%d second pass", i).contains(version);
            counts.merge(version, 1, Integer::sum);
        }
        assertThat(counts.keySet()).containsExactlyInAnyOrder("support-v1", "support-v2");
        assertThat(counts.get("support-v1") / 3000.0).isBetween(0.67, 0.73);
    }

    @Test
    void shouldAlwaysServeAPinnedClientItsVersion() {
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> answer = send(post(base + "/v1/chat/completions", chat("support-bot"),
                    "x-turnout-client", "beta-tester-7"));
            assertThat(answer.headers().firstValue("x-turnout-version")).contains("support-v3");
            assertThat(answer.headers().firstValue("x-turnout-decision")).contains("pin");
            assertThat(answer.headers().firstValue("x-sim-name")).contains("support-v3");
        }
    }

    @Test
    void shouldRewriteTheModelAndDescribeTheDecisionInHeaders() {
        HttpResponse<String> answer = send(post(base + "/v1/chat/completions", chat("support-bot"), "x-turnout-client", "c-42"));
        assertThat(answer.statusCode()).isEqualTo(200);
        String version = answer.headers().firstValue("x-turnout-version").orElseThrow();
        // The simulator echoes the model it was asked for: the version's upstream model name.
        assertThat(json(answer).get("model").asText()).isEqualTo("ft:" + version.replace("-", ":"));
        assertThat(answer.headers().firstValue("x-turnout-alias")).contains("support-bot");
        assertThat(answer.headers().firstValue("x-turnout-revision")).contains("1");
        assertThat(answer.headers().firstValue("x-turnout-decision")).contains("split");
        assertThat(answer.headers().firstValue("server-timing").orElseThrow())
                .matches("turnout;dur=\\d+\\.\\d{3}, upstream;dur=\\d+\\.\\d{3}");
    }

    @Test
    void shouldListTheAliasesAsModels() {
        JsonNode list = json(Http.get(base + "/v1/models"));
        assertThat(list.get("object").asText()).isEqualTo("list");
        List<String> ids = new ArrayList<>();
        list.get("data").forEach(model -> ids.add(model.get("id").asText()));
        assertThat(ids).containsExactly("support-bot", "slow-bot", "failing-bot", "gone-bot");
        assertThat(json(Http.get(base + "/v1/models/support-bot")).get("id").asText()).isEqualTo("support-bot");
        assertOpenAiError(Http.get(base + "/v1/models/nope"), 404, "model_not_found");
    }

    @Test
    void shouldRejectMalformedJsonWith400() {
        assertOpenAiError(send(post(base + "/v1/chat/completions", "{\"model\":\"support-bot\",")), 400, null);
        assertOpenAiError(send(post(base + "/v1/chat/completions", "not json")), 400, null);
    }

    @Test
    void shouldRejectARequestWithoutModelWith400NamingTheParam() {
        HttpResponse<String> answer = send(post(base + "/v1/chat/completions", "{\"messages\":[]}"));
        assertOpenAiError(answer, 400, null);
        assertThat(json(answer).at("/error/param").asText()).isEqualTo("model");
    }

    @Test
    void shouldAnswerModelNotFoundForAnUnknownAlias() {
        HttpResponse<String> answer = send(post(base + "/v1/chat/completions", chat("gpt-4o")));
        assertOpenAiError(answer, 404, "model_not_found");
        assertThat(json(answer).at("/error/message").asText()).contains("gpt-4o");
    }

    @Test
    void shouldRefuseABodyOverTheCapWith413() {
        String huge = "{\"model\":\"support-bot\",\"messages\":[{\"role\":\"user\",\"content\":\""
                + "x".repeat(5 << 20) + "\"}]}";
        assertOpenAiError(send(post(base + "/v1/chat/completions", huge)), 413, "request_too_large");
        // The gateway still serves the next request.
        assertThat(send(post(base + "/v1/chat/completions", chat("support-bot"))).statusCode()).isEqualTo(200);
    }

    @Test
    void shouldAnswer502WhenTheUpstreamIsUnreachable() {
        HttpResponse<String> answer = send(post(base + "/v1/chat/completions", chat("gone-bot")));
        assertOpenAiError(answer, 502, "upstream_unreachable");
        assertThat(json(answer).at("/error/message").asText()).contains("gone");
    }

    @Test
    void shouldAnswer504WhenTheUpstreamIsTooSlow() {
        HttpResponse<String> answer = send(post(base + "/v1/chat/completions", chat("slow-bot")));
        assertOpenAiError(answer, 504, "upstream_timeout");
    }

    @Test
    void shouldPassUpstreamErrorsThroughAsSent() {
        HttpResponse<String> answer = send(post(base + "/v1/chat/completions", chat("failing-bot")));
        assertThat(answer.statusCode()).isEqualTo(500);
        assertThat(answer.headers().firstValue("x-sim-name")).contains("failing");
        assertThat(json(answer).at("/error/type").asText()).isEqualTo("server_error");
        assertThat(answer.headers().firstValue("x-turnout-version")).contains("failing");
    }

    @Test
    void shouldAnswerUnknownPathsAndMethodsInOpenAiShape() {
        assertOpenAiError(Http.get(base + "/v2/chat"), 404, "unknown_url");
        assertOpenAiError(Http.get(base + "/v1/chat/completions"), 405, "method_not_allowed");
    }

    static void assertOpenAiError(HttpResponse<String> answer, int status, String code) {
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(status);
        assertThat(answer.headers().firstValue("content-type")).hasValueSatisfying(type -> assertThat(type).contains("json"));
        JsonNode error = json(answer).get("error");
        assertThat(error).as(answer.body()).isNotNull();
        assertThat(error.get("message").asText()).isNotBlank();
        assertThat(error.has("type") && error.has("param") && error.has("code")).isTrue();
        if (code != null) assertThat(error.get("code").asText()).isEqualTo(code);
    }
}
