package dev.turnout.e2e;

import static dev.turnout.testing.Fixtures.await;
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
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Shadowed {@code POST /v1/responses}, whole and streamed: the pairs compare the answers' real text. */
class ShadowResponsesApiTest {

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

    private void startGateway(String candidateUrl, String aliasExtras) {
        GatewayConfig config = Fixtures.config(false, 1 << 20).withShadow(GatewayConfig.Shadow.defaults());
        gateway = Fixtures.gateway(vertx, config, RouteCodec.fromYaml(String.join("\n",
                "versions:",
                "  support-v1: { url: '" + primary.baseUrl() + "', model: 'ft:support:v1' }",
                "  support-v2: { url: '" + candidateUrl + "', model: 'ft:support:v2' }",
                "aliases:",
                "  support-bot: { split: { support-v1: 1 }, shadow: [ { version: support-v2, sample: 1.0 } ]" + aliasExtras + " }",
                "")), Map.of());
    }

    private String base() {
        return "http://127.0.0.1:" + gateway.port();
    }

    private String admin() {
        return "http://127.0.0.1:" + gateway.adminPort();
    }

    private JsonNode awaitEntry(Predicate<JsonNode> done) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            JsonNode report = json(Http.get(admin() + "/admin/diffs")).get("candidates");
            if (report.size() == 1 && done.test(report.get(0))) return report.get(0);
            if (System.nanoTime() > deadline) throw new AssertionError("report never reached the expected state: " + report);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    private HttpResponse<String> ask(int i, boolean stream) {
        HttpResponse<String> answer = Http.send(post(base() + "/v1/responses", "{\"model\":\"support-bot\",\"stream\":" + stream
                + ",\"input\":\"responses question " + i + "\"}"));
        assertThat(answer.statusCode()).isEqualTo(200);
        return answer;
    }

    /** The text a client reads from a streamed answer: its deltas, joined. */
    private static String streamedText(String body) throws Exception {
        StringBuilder text = new StringBuilder();
        for (String block : body.split("\n\n")) {
            for (String line : block.split("\n")) {
                if (!line.startsWith("data: ")) continue;
                JsonNode event = Http.JSON.readTree(line.substring("data: ".length()));
                if (event.path("type").asText().equals("response.output_text.delta")) text.append(event.get("delta").asText());
            }
        }
        return text.toString();
    }

    @Test
    void shouldCompareTheTextOfTwoVersionsAndFindThePrimaryEqualToItself() throws Exception {
        SimServer candidate = Fixtures.sim(vertx, SimOptions.defaults("support-v2").withTokens(12));
        startGateway(candidate.baseUrl(), ", noiseSample: 1.0");
        Map<String, String> clientText = new HashMap<>();
        for (int i = 0; i < 20; i++) {
            boolean stream = i % 2 == 1;
            HttpResponse<String> answer = ask(i, stream);
            String text = stream ? streamedText(answer.body()) : json(answer).at("/output/0/content/0/text").asText();
            assertThat(text).isNotBlank();
            clientText.put("responses question " + i, text);
        }
        JsonNode entry = awaitEntry(e -> e.get("pairs").asLong() == 20 && e.get("noisePairs").asLong() == 20);
        assertThat(entry.at("/verdicts/error").asLong()).isZero();
        // Two fine-tunes are not alike on every question; before, Responses answers were not shadowed
        // at all, and read as chat they would all have been empty, so "same".
        assertThat(entry.at("/verdicts/same").asLong()).isLessThan(20);
        assertThat(entry.get("changedRate").asDouble()).isGreaterThan(0.0);
        // The simulator is deterministic: the primary asked twice never differs from itself.
        assertThat(entry.get("noiseChangedRate").asDouble()).isEqualTo(0.0);
        assertThat(entry.at("/completionTokenDelta/p50").asDouble()).isEqualTo(0.0);
        JsonNode samples = json(Http.get(admin() + "/admin/diffs/samples?alias=support-bot&kind=candidate&limit=100"));
        assertThat(samples.size()).isEqualTo(20);
        int differing = 0;
        for (JsonNode sample : samples) {
            String question = clientText.keySet().stream().filter(q -> sample.get("request").asText().contains(q + "\""))
                    .findFirst().orElseThrow();
            // What was compared is the text the client got, whole or streamed, not an empty string.
            assertThat(sample.get("primaryText").asText()).isEqualTo(clientText.get(question));
            assertThat(sample.get("candidateText").asText()).isNotBlank();
            if (!sample.get("primaryText").asText().equals(sample.get("candidateText").asText())) {
                differing++;
                assertThat(sample.at("/metrics/verdict").asText()).isNotEqualTo("same");
                assertThat(sample.at("/metrics/tokenF1").asDouble()).isLessThan(1.0);
            }
        }
        assertThat(differing).isPositive();
        JsonNode noise = json(Http.get(admin() + "/admin/diffs/samples?kind=noise&limit=1")).get(0);
        assertThat(noise.at("/metrics/verdict").asText()).isEqualTo("same");
        assertThat(noise.get("candidateText").asText()).isEqualTo(noise.get("primaryText").asText()).isNotBlank();
    }

    @Test
    void shouldSendTheShadowWithTheCandidatesModelAndCompareItsAnswer() {
        // A candidate that answers, in the Responses API's shape, the model it was asked for.
        HttpServer echo = await(vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
            JsonObject output = new JsonObject().put("type", "message").put("role", "assistant").put("content",
                    new JsonArray().add(new JsonObject().put("type", "output_text")
                            .put("text", "model " + body.toJsonObject().getString("model"))));
            request.response().putHeader("content-type", "application/json").end(new JsonObject().put("object", "response")
                    .put("status", "completed").put("output", new JsonArray().add(output))
                    .put("usage", new JsonObject().put("input_tokens", 3).put("output_tokens", 2)).encode());
        })).listen(0, "127.0.0.1"));
        startGateway("http://127.0.0.1:" + echo.actualPort(), "");
        ask(0, false);
        JsonNode entry = awaitEntry(e -> e.get("pairs").asLong() == 1);
        assertThat(entry.at("/verdicts/different").asLong()).isEqualTo(1);
        JsonNode sample = json(Http.get(admin() + "/admin/diffs/samples?alias=support-bot&limit=1")).get(0);
        assertThat(sample.get("candidateText").asText()).isEqualTo("model ft:support:v2");
        // The client asked for the alias; the shadow's body names the candidate's upstream model.
        assertThat(sample.get("request").asText()).contains("\"model\":\"support-bot\"");
    }
}
