package dev.turnout.e2e;

import static dev.turnout.testing.Http.json;
import static dev.turnout.testing.Http.post;
import static dev.turnout.testing.Http.send;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.turnout.Gateway;
import dev.turnout.sim.SimServer;
import dev.turnout.testing.Fixtures;
import dev.turnout.testing.Http;
import io.vertx.core.Vertx;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** {@code POST /v1/responses} through the gateway: its {@code model} picks the alias, as for chat. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ResponsesApiEndToEndTest {

    private Vertx vertx;
    private Gateway gateway;
    private String base;

    @BeforeAll
    void start() {
        vertx = Vertx.vertx();
        SimServer v1 = Fixtures.sim(vertx, "support-v1");
        SimServer v2 = Fixtures.sim(vertx, "support-v2");
        gateway = Fixtures.gateway(vertx, String.join("\n",
                "versions:",
                "  support-v1: { url: '" + v1.baseUrl() + "', model: 'ft:support:v1' }",
                "  support-v2: { url: '" + v2.baseUrl() + "', model: 'ft:support:v2' }",
                "aliases:",
                "  one-bot: { split: { support-v1: 1 } }",
                "  two-bot: { split: { support-v2: 1 } }",
                ""));
        base = "http://127.0.0.1:" + gateway.port();
    }

    @AfterAll
    void stop() {
        Fixtures.await(gateway.close());
        Fixtures.await(vertx.close());
    }

    @Test
    void shouldRouteAResponsesRequestByItsModel() {
        for (String[] route : new String[][] {{"one-bot", "support-v1"}, {"two-bot", "support-v2"}}) {
            HttpResponse<String> answer = send(post(base + "/v1/responses",
                    "{\"model\":\"" + route[0] + "\",\"input\":\"Where is my parcel?\"}", "x-turnout-client", "c-1"));
            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(answer.headers().firstValue("x-turnout-alias")).contains(route[0]);
            assertThat(answer.headers().firstValue("x-sim-name")).contains(route[1]);
            JsonNode body = json(answer);
            // The simulator echoes the model it was asked for: the version's upstream model name.
            assertThat(body.get("model").asText()).isEqualTo("ft:" + route[1].replace("-", ":"));
            assertThat(body.at("/output/0/content/0/text").asText()).isNotBlank();
        }
    }

    @Test
    void shouldRelayAStreamedResponseEventByEvent() throws Exception {
        String request = "{\"model\":\"one-bot\",\"input\":\"Where is my parcel?\"";
        String whole = json(send(post(base + "/v1/responses", request + "}", "x-turnout-client", "c-1")))
                .at("/output/0/content/0/text").asText();
        HttpResponse<String> streamed = send(post(base + "/v1/responses", request + ",\"stream\":true}", "x-turnout-client", "c-1"));
        assertThat(streamed.statusCode()).isEqualTo(200);
        assertThat(streamed.headers().firstValue("x-sim-name")).contains("support-v1");
        List<String> types = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        JsonNode last = null;
        for (String block : streamed.body().split("\n\n")) {
            String[] lines = block.split("\n");
            assertThat(lines[0]).startsWith("event: ");
            last = Http.JSON.readTree(lines[1].substring("data: ".length()));
            types.add(last.get("type").asText());
            if (types.get(types.size() - 1).equals("response.output_text.delta")) text.append(last.get("delta").asText());
        }
        assertThat(types).first().isEqualTo("response.created");
        assertThat(types).last().isEqualTo("response.completed");
        assertThat(text.toString()).isEqualTo(whole);
        assertThat(last.at("/response/model").asText()).isEqualTo("ft:support:v1");
    }
}
