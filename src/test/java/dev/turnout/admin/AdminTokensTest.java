package dev.turnout.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.turnout.Gateway;
import dev.turnout.config.GatewayConfig;
import dev.turnout.config.GatewayConfig.Admin.Role;
import dev.turnout.config.GatewayConfig.Admin.Token;
import dev.turnout.config.TokenHash;
import dev.turnout.route.RouteCodec;
import dev.turnout.store.RouteStore;
import dev.turnout.testing.Http;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Named admin tokens: who may do what, and whose name history records. */
class AdminTokensTest {

    private static final String ROUTES = String.join("\n",
            "versions:",
            "  v1: { url: 'http://127.0.0.1:9/v1' }",
            "  v2: { url: 'http://127.0.0.1:9/v1' }",
            "aliases:",
            "  bot: { split: { v1: 90, v2: 10 } }",
            "");
    private static final String READER = "reader-secret";
    private static final String WRITER = "writer-secret";
    private static final String LEGACY = "legacy-secret";

    private final Vertx vertx = Vertx.vertx();
    private Gateway gateway;
    private String admin;

    private void start(String legacyToken) throws Exception {
        List<Token> tokens = List.of(new Token("ana", TokenHash.sha256Hex(READER), Role.READ),
                new Token("bob@ops", TokenHash.sha256Hex(WRITER), Role.WRITE));
        GatewayConfig config = GatewayConfig.defaults()
                .withServer(new GatewayConfig.Server("127.0.0.1", 0, 1 << 20, false, 1))
                .withAdmin(new GatewayConfig.Admin("127.0.0.1", 0, legacyToken, List.of(), tokens))
                .withDiffs(new GatewayConfig.Diffs("", false))
                .withRoutes(Path.of("(test)"));
        gateway = Gateway.start(vertx, config, RouteStore.memory(100), RouteCodec.fromYaml(ROUTES), Map.<String, String>of()::get)
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        admin = "http://127.0.0.1:" + gateway.adminPort();
    }

    @AfterEach
    void stop() throws Exception {
        if (gateway != null) gateway.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static HttpResponse<String> call(String method, String url, String token, String body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("content-type", "application/json");
        if (token != null) request.header("authorization", "Bearer " + token);
        for (int i = 0; i < headers.length; i += 2) request.header(headers[i], headers[i + 1]);
        return Http.send(request);
    }

    @Test
    void shouldLetAReadTokenLookButRefuseEveryWrite() throws Exception {
        start(null);
        assertThat(call("GET", admin + "/admin/routes", READER, null).statusCode()).isEqualTo(200);
        assertThat(call("GET", admin + "/admin/rollouts", READER, null).statusCode()).isEqualTo(200);
        List<HttpResponse<String>> writes = List.of(
                call("PUT", admin + "/admin/routes", READER, RouteCodec.JSON.writeValueAsString(
                        RouteCodec.JSON.readTree(call("GET", admin + "/admin/routes", READER, null).body()))),
                call("PATCH", admin + "/admin/aliases/bot", READER, "{\"split\":{\"v2\":50}}"),
                call("DELETE", admin + "/admin/aliases/bot", READER, null),
                call("POST", admin + "/admin/rollouts", READER, "{}"),
                call("POST", admin + "/admin/rollouts/r1/abort", READER, "{}"));
        for (HttpResponse<String> write : writes) {
            assertThat(write.statusCode()).as(write.request().method() + " " + write.uri()).isEqualTo(403);
            JsonNode error = Http.json(write).get("error");
            assertThat(error.get("type").asText()).isEqualTo("forbidden");
            assertThat(error.get("message").asText()).contains("'ana'").contains("read");
            assertThat(write.body()).doesNotContain(READER);
        }
        assertThat(gateway.store().current().revision()).isEqualTo(1);
    }

    @Test
    void shouldRecordTheWriteTokensNameWhateverTheAuthorHeaderClaims() throws Exception {
        start(null);
        HttpResponse<String> patched = call("PATCH", admin + "/admin/aliases/bot", WRITER, "{\"split\":{\"v2\":50}}",
                "x-turnout-author", "mallory");
        assertThat(patched.statusCode()).as(patched.body()).isEqualTo(200);
        JsonNode history = Http.json(call("GET", admin + "/admin/history", READER, null));
        assertThat(history.get(0).get("author").asText()).isEqualTo("bob@ops");
    }

    @Test
    void shouldLogTheWriteTokensNameOnARolloutWhateverTheAuthorHeaderClaims() throws Exception {
        start(null);
        HttpResponse<String> created = call("POST", admin + "/admin/rollouts", WRITER, "{\"alias\": \"bot\", \"candidate\": \"v2\","
                + " \"steps\": [{\"weight\": 20}, {\"weight\": 100}], \"criteria\": {\"errorRate\": {\"maxIncrease\": 0.01}}}",
                "x-turnout-author", "mallory");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String id = Http.json(created).get("id").asText();
        HttpResponse<String> aborted = call("POST", admin + "/admin/rollouts/" + id + "/abort", WRITER, "{}",
                "x-turnout-author", "mallory");
        assertThat(aborted.statusCode()).as(aborted.body()).isIn(200, 202);
        String log = Http.json(call("GET", admin + "/admin/rollouts/" + id, READER, null)).get("log").toString();
        assertThat(log).contains("by bob@ops").doesNotContain("mallory");
    }

    @Test
    void shouldRefuseAnUnknownOrMissingTokenWith401() throws Exception {
        start(null);
        HttpResponse<String> unknown = call("GET", admin + "/admin/routes", "guess", null);
        assertThat(unknown.statusCode()).isEqualTo(401);
        assertThat(Http.json(unknown).at("/error/type").asText()).isEqualTo("unauthorized");
        assertThat(call("GET", admin + "/admin/routes", null, null).statusCode()).isEqualTo(401);
        assertThat(call("GET", admin + "/admin/routes", READER + "x", null).statusCode()).isEqualTo(401);
        assertThat(call("GET", admin + "/health/live", null, null).statusCode()).isEqualTo(200);
    }

    @Test
    void shouldKeepTheLegacyTokenAsAWriteTokenNamedAdmin() throws Exception {
        start(LEGACY);
        HttpResponse<String> patched = call("PATCH", admin + "/admin/aliases/bot", LEGACY, "{\"split\":{\"v2\":50}}",
                "x-turnout-author", "mallory");
        assertThat(patched.statusCode()).as(patched.body()).isEqualTo(200);
        JsonNode history = Http.json(call("GET", admin + "/admin/history", LEGACY, null));
        assertThat(history.get(0).get("author").asText()).isEqualTo("admin");
        assertThat(call("PATCH", admin + "/admin/aliases/bot", READER, "{\"split\":{\"v2\":60}}").statusCode()).isEqualTo(403);
    }
}
