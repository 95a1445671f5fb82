package dev.turnout.admin;

import static dev.turnout.testing.Fixtures.await;
import static dev.turnout.testing.Http.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.turnout.Gateway;
import dev.turnout.golden.GoldenSets;
import dev.turnout.testing.Fixtures;
import dev.turnout.testing.Http;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code /admin/golden-sets} end to end through a gateway's admin API. */
class GoldenSetRoutesTest {

    private static final String ROUTES = "versions:\n  v1: { url: 'http://127.0.0.1:9/v1' }\naliases:\n  bot: { split: { v1: 1 } }\n";

    private final Vertx vertx = Vertx.vertx();
    private Gateway gateway;
    private String base;

    @BeforeEach
    void start() {
        gateway = Fixtures.gateway(vertx, ROUTES);
        base = "http://127.0.0.1:" + gateway.adminPort() + "/admin/golden-sets";
    }

    @AfterEach
    void stop() {
        await(gateway.close());
        await(vertx.close());
    }

    private static HttpResponse<String> put(String url, String body, String type) {
        return Http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).header("content-type", type)
                .PUT(HttpRequest.BodyPublishers.ofString(body)));
    }

    private static HttpResponse<String> delete(String url) {
        return Http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("content-type", "application/json").DELETE());
    }

    @Test
    void putJsonlThenGetItBackEqualListAndDelete() throws Exception {
        String shipped = Files.readString(Path.of("conf/golden/support-golden.jsonl"));

        HttpResponse<String> stored = put(base + "/support", shipped, "application/x-ndjson; charset=utf-8");

        assertThat(stored.statusCode()).as(stored.body()).isEqualTo(200);
        JsonNode summary = json(stored);
        assertThat(summary.path("name").asText()).isEqualTo("support");
        assertThat(summary.path("items").asInt()).isEqualTo(20);
        assertThat(summary.path("kinds").path("regex").asInt()).isEqualTo(4);
        assertThat(summary.path("kinds").path("semantic").asInt()).isEqualTo(1);
        HttpResponse<String> read = Http.get(base + "/support");
        assertThat(read.statusCode()).isEqualTo(200);
        assertThat(read.headers().firstValue("content-type")).hasValue("application/jsonl");
        assertThat(GoldenSets.parse("support", read.body(), true)).isEqualTo(GoldenSets.parse("support", shipped, true));
        assertThat(await(gateway.goldenSets().get("support"))).isPresent();
        assertThat(json(Http.get(base)).path("names").toString()).isEqualTo("[\"support\"]");

        assertThat(delete(base + "/support").statusCode()).isEqualTo(204);
        assertThat(Http.get(base + "/support").statusCode()).isEqualTo(404);
        assertThat(delete(base + "/support").statusCode()).isEqualTo(404);
    }

    @Test
    void acceptsTheOtherJsonlTypesAndJson() {
        String item = "{\"id\": \"a\", \"prompt\": \"2+2=\", \"check\": {\"kind\": \"number\", \"value\": 4}}";

        assertThat(put(base + "/one", item, "application/jsonl").statusCode()).isEqualTo(200);
        assertThat(put(base + "/two", item, "application/x-jsonlines").statusCode()).isEqualTo(200);
        assertThat(put(base + "/three", "{\"items\": [" + item + "]}", "application/json").statusCode()).isEqualTo(200);
        assertThat(json(Http.get(base)).path("names").toString()).isEqualTo("[\"one\",\"three\",\"two\"]");
    }

    @Test
    void refusesABadSetWithEveryProblemAndItsLine() {
        String body = "{\"id\": \"a\", \"prompt\": \"p\", \"check\": {\"kind\": \"fuzzy\"}}\n\nnot json\n";

        HttpResponse<String> refused = put(base + "/bad", body, "application/jsonl");

        assertThat(refused.statusCode()).isEqualTo(422);
        JsonNode error = json(refused).path("error");
        assertThat(error.path("type").asText()).isEqualTo("invalid_golden_set");
        assertThat(error.path("errors").get(0).asText())
                .isEqualTo("line 1: check.kind: unknown 'fuzzy' (expected exact, contains, regex, oneOf, number, jsonSchema, semantic, toolCall)");
        assertThat(error.path("errors").get(1).asText()).startsWith("line 3: not valid JSON: ");
        assertThat(error.path("errors")).hasSize(2);
        assertThat(Http.get(base + "/bad").statusCode()).isEqualTo(404);
    }

    @Test
    void refusesOtherMediaTypesAndUnknownNames() {
        String item = "{\"id\": \"a\", \"prompt\": \"p\", \"check\": {\"kind\": \"exact\", \"value\": \"x\"}}";

        assertThat(put(base + "/plain", item, "text/plain").statusCode()).isEqualTo(415);
        HttpResponse<String> yaml = put(base + "/yaml", item, "application/yaml");
        assertThat(yaml.statusCode()).isEqualTo(415);
        assertThat(json(yaml).path("error").path("message").asText()).contains("application/jsonl");
        assertThat(Http.get(base + "/nothing-here").statusCode()).isEqualTo(404);
        assertThat(Http.get(base + "?prefix=s").statusCode()).isEqualTo(400);
        assertThat(put(base + "/bad%20name", item, "application/jsonl").statusCode()).isEqualTo(422);
    }

    @Test
    void takesBodiesBeyondTheOtherAdminLimit() {
        String filler = "x".repeat(60_000);
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 90; i++) {
            body.append("{\"id\": \"q").append(i).append("\", \"prompt\": \"").append(filler)
                    .append("\", \"check\": {\"kind\": \"exact\", \"value\": \"x\"}}\n");
        }
        assertThat(body.length()).isGreaterThan(5 << 20);

        HttpResponse<String> stored = put(base + "/large", body.toString(), "application/jsonl");

        assertThat(stored.statusCode()).as(stored.body()).isEqualTo(200);
        assertThat(json(stored).path("items").asInt()).isEqualTo(90);
        HttpResponse<String> routes = Http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.adminPort()
                + "/admin/routes")).header("content-type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(body.toString())));
        assertThat(routes.statusCode()).isEqualTo(413);
        HttpResponse<String> tooLarge = put(base + "/huge", "x".repeat(GoldenSets.MAX_DOCUMENT_CHARS + 1), "application/jsonl");
        assertThat(tooLarge.statusCode()).isEqualTo(413);
        assertThat(Http.get(base + "/huge").statusCode()).isEqualTo(404);
    }
}
