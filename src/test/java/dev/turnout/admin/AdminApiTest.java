package dev.turnout.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.turnout.Gateway;
import dev.turnout.config.ConfigException;
import dev.turnout.config.GatewayConfig;
import dev.turnout.route.RouteCodec;
import dev.turnout.store.RouteStore;
import dev.turnout.testing.Http;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The admin API over HTTP, on the in-memory store (the Redis store runs the same store contract). */
@ExtendWith(VertxExtension.class)
class AdminApiTest {

    private static final String ROUTES = String.join("\n",
            "versions:",
            "  v1: { url: 'http://127.0.0.1:9/v1' }",
            "  v2: { url: 'http://127.0.0.1:9/v1' }",
            "aliases:",
            "  bot: { split: { v1: 90, v2: 10 } }",
            "  other: { split: { v1: 1 } }",
            "");

    private final Vertx vertx = Vertx.vertx();
    private Gateway gateway;
    private String admin;

    private void start(String token) throws Exception {
        GatewayConfig config = GatewayConfig.defaults()
                .withServer(new GatewayConfig.Server("127.0.0.1", 0, 1 << 20, false, 1))
                .withAdmin(new GatewayConfig.Admin("127.0.0.1", 0, token))
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

    private static HttpResponse<String> call(String method, String url, String body, String... headers) {
        // The admin API takes writes only as JSON or YAML.
        return callAs("application/json", method, url, body, headers);
    }

    private static HttpResponse<String> callAs(String contentType, String method, String url, String body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("content-type", contentType);
        for (int i = 0; i < headers.length; i += 2) request.header(headers[i], headers[i + 1]);
        return Http.send(request);
    }

    @Test
    void shouldServeTheRoutesWithTheRevisionAsETag() throws Exception {
        start(null);
        HttpResponse<String> routes = call("GET", admin + "/admin/routes", null);
        assertThat(routes.statusCode()).isEqualTo(200);
        assertThat(routes.headers().firstValue("etag")).contains("\"1\"");
        assertThat(RouteCodec.fromJson(routes.body()).sameRoutesAs(RouteCodec.fromYaml(ROUTES))).isTrue();
    }

    @Test
    void shouldApplyAPatchRecordAuthorAndReasonAndRejectAStaleIfMatch() throws Exception {
        start(null);
        HttpResponse<String> patched = call("PATCH", admin + "/admin/aliases/bot", "{\"split\":{\"v2\":50}}",
                "if-match", "\"1\"", "x-turnout-author", "alice", "x-turnout-reason", "ramp v2 to 50%");
        assertThat(patched.statusCode()).as(patched.body()).isEqualTo(200);
        assertThat(patched.headers().firstValue("etag")).contains("\"2\"");
        assertThat(gateway.store().current().alias("bot").split().get("v2")).isEqualTo(50.0);

        HttpResponse<String> stale = call("PATCH", admin + "/admin/aliases/bot", "{\"split\":{\"v2\":70}}", "if-match", "\"1\"");
        assertThat(stale.statusCode()).isEqualTo(409);
        assertThat(Http.json(stale).at("/error/message").asText()).contains("expected revision 1").contains("holds 2");
        assertThat(gateway.store().current().revision()).isEqualTo(2);

        JsonNode history = Http.json(call("GET", admin + "/admin/history", null));
        assertThat(history.get(0).get("revision").asLong()).isEqualTo(2);
        assertThat(history.get(0).get("author").asText()).isEqualTo("alice");
        assertThat(history.get(0).get("reason").asText()).isEqualTo("ramp v2 to 50%");
        assertThat(history.get(0).get("action").asText()).isEqualTo("patch-alias bot");
        assertThat(history.get(1).get("action").asText()).isEqualTo("seed");
    }

    @Test
    void shouldListEveryValidationErrorAndChangeNothing() throws Exception {
        start(null);
        String document = "{\"versions\":{\"v1\":{\"url\":\"ftp://x\"}},\"aliases\":{\"bot\":{\"split\":{\"v1\":-1,\"v9\":1},"
                + "\"noiseSample\":3}}}";
        HttpResponse<String> refused = call("PUT", admin + "/admin/routes", document);
        assertThat(refused.statusCode()).isEqualTo(422);
        JsonNode errors = Http.json(refused).at("/error/errors");
        assertThat(errors.size()).isGreaterThanOrEqualTo(4);
        assertThat(errors.toString()).contains("versions.v1.url").contains("aliases.bot.split.v1")
                .contains("aliases.bot.split.v9").contains("aliases.bot.noiseSample");
        assertThat(gateway.store().current().revision()).isEqualTo(1);
        assertThat(call("PUT", admin + "/admin/routes", "{not json").statusCode()).isEqualTo(400);
    }

    @Test
    void shouldTakeTheRoutesFileAsKeptInGitWithTheYamlContentType() throws Exception {
        start(null);
        // Verbatim, comments and flow maps included: what a CI job sends with --data-binary @conf/routes.yaml.
        String file = Files.readString(Path.of("conf/routes.yaml"));
        HttpResponse<String> put = callAs("application/yaml", "PUT", admin + "/admin/routes", file,
                "x-turnout-author", "ci", "x-turnout-reason", "deploy main");
        assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
        assertThat(put.headers().firstValue("etag")).contains("\"2\"");
        assertThat(gateway.store().current().sameRoutesAs(RouteCodec.fromYaml(file))).isTrue();
        // The same file parsed as JSON is refused, so the content type is what makes it work.
        assertThat(call("PUT", admin + "/admin/routes", file).statusCode()).isEqualTo(400);
    }

    @Test
    void shouldPreviewAPatchWithItsChangesWithoutApplyingIt() throws Exception {
        start(null);
        HttpResponse<String> preview = call("PATCH", admin + "/admin/aliases/bot?dryRun=true", "{\"split\":{\"v2\":50}}");
        assertThat(preview.statusCode()).as(preview.body()).isEqualTo(200);
        assertThat(preview.headers().firstValue("x-turnout-dry-run")).contains("true");
        assertThat(preview.headers().firstValue("etag")).contains("\"1\"");
        JsonNode body = Http.json(preview);
        assertThat(body.get("changes").toString())
                .isEqualTo("[{\"path\":\"aliases.bot.split.v2\",\"from\":10,\"to\":50}]");
        assertThat(body.at("/routes/aliases/bot/split/v2").asInt()).isEqualTo(50);
        assertThat(body.at("/routes/revision").asLong()).isEqualTo(1);
        assertThat(gateway.store().current().revision()).isEqualTo(1);
        assertThat(gateway.store().current().alias("bot").split().get("v2")).isEqualTo(10.0);
        assertThat(Http.json(call("GET", admin + "/admin/history", null)).size()).isEqualTo(1);
        // A preview checks If-Match as the write would, and validates as the write would.
        assertThat(call("PATCH", admin + "/admin/aliases/bot?dryRun=true", "{}", "if-match", "\"7\"").statusCode()).isEqualTo(409);
        assertThat(call("PUT", admin + "/admin/aliases/bot?dryRun=true", "{\"split\":{\"v9\":1}}").statusCode()).isEqualTo(422);
        assertThat(call("DELETE", admin + "/admin/versions/v2?dryRun=true", null).statusCode()).isEqualTo(409);
    }

    @Test
    void shouldPreviewEveryRouteWriteAndApplyNone() throws Exception {
        start(null);
        call("PATCH", admin + "/admin/aliases/bot", "{\"split\":{\"v2\":100}}");
        String[][] writes = {
                {"PUT", "/admin/routes", "{\"versions\":{\"v1\":{\"url\":\"http://127.0.0.1:9/v1\"}},\"aliases\":{}}",
                        "versions.v2"},
                {"PUT", "/admin/versions/v3", "{\"url\":\"http://127.0.0.1:9/v1\"}", "versions.v3"},
                {"PATCH", "/admin/aliases/other", "{\"split\":{\"v2\":1}}", "aliases.other.split.v2"},
                {"DELETE", "/admin/aliases/other", null, "aliases.other"},
                {"PUT", "/admin/aliases/canary", "{\"split\":{\"v1\":1}}", "aliases.canary"},
                {"POST", "/admin/rollback", null, "aliases.bot.split.v2"},
                {"POST", "/admin/aliases/bot/rollback", null, "aliases.bot.split.v2"},
        };
        for (String[] write : writes) {
            HttpResponse<String> preview = call(write[0], admin + write[1] + "?dryRun=true", write[2]);
            assertThat(preview.statusCode()).as(write[0] + " " + write[1] + ": " + preview.body()).isEqualTo(200);
            assertThat(preview.headers().firstValue("x-turnout-dry-run")).contains("true");
            assertThat(Http.json(preview).get("changes").findValuesAsText("path")).as(write[1]).contains(write[3]);
            assertThat(gateway.store().current().revision()).as(write[1]).isEqualTo(2);
        }
        assertThat(gateway.store().current().alias("other").split()).containsOnlyKeys("v1");
        // dryRun=false is the write itself.
        assertThat(call("POST", admin + "/admin/rollback?dryRun=false", null).statusCode()).isEqualTo(200);
        assertThat(gateway.store().current().revision()).isEqualTo(3);
    }

    @Test
    void shouldRefuseUnknownQueryParametersAndApplyNothing() throws Exception {
        start(null);
        HttpResponse<String> misspelt = call("PATCH", admin + "/admin/aliases/bot?dryrun=true", "{\"split\":{\"v2\":50}}");
        assertThat(misspelt.statusCode()).isEqualTo(400);
        assertThat(Http.json(misspelt).at("/error/message").asText()).contains("dryrun").contains("dryRun, reason");
        assertThat(gateway.store().current().revision()).isEqualTo(1);
        assertThat(call("PUT", admin + "/admin/routes?dryRun=yes", ROUTES).statusCode()).isEqualTo(400);
        assertThat(call("GET", admin + "/admin/routes?x=1", null).statusCode()).isEqualTo(400);
        assertThat(Http.json(call("GET", admin + "/admin/history?limit=1&table=true", null)).at("/error/message").asText())
                .contains("limit, tables");
        // The parameters each route takes still work.
        assertThat(call("PATCH", admin + "/admin/aliases/bot?reason=ramp", "{\"split\":{\"v2\":50}}").statusCode()).isEqualTo(200);
        JsonNode newest = Http.json(call("GET", admin + "/admin/history?limit=1&tables=true", null));
        assertThat(newest.size()).isEqualTo(1);
        assertThat(newest.get(0).get("reason").asText()).isEqualTo("ramp");
        assertThat(newest.get(0).has("routes")).isTrue();
    }

    @Test
    void shouldShowWhatEachRevisionChangedAgainstThePreviousOne() throws Exception {
        start(null);
        call("PATCH", admin + "/admin/aliases/bot", "{\"split\":{\"v2\":50}}");
        JsonNode second = Http.json(call("GET", admin + "/admin/history/2", null));
        assertThat(second.get("previousRevision").asLong()).isEqualTo(1);
        assertThat(second.get("changes").toString())
                .isEqualTo("[{\"path\":\"aliases.bot.split.v2\",\"from\":10,\"to\":50}]");
        assertThat(second.at("/routes/aliases/bot/split/v2").asInt()).isEqualTo(50);
        JsonNode first = Http.json(call("GET", admin + "/admin/history/1", null));
        assertThat(first.get("previousRevision").isNull()).isTrue();
        assertThat(first.get("changes").isArray()).isTrue();
        assertThat(first.get("changes")).isEmpty();
        assertThat(call("GET", admin + "/admin/history/9", null).statusCode()).isEqualTo(404);
    }

    @Test
    void shouldGetAndDeleteOneAliasAndOneVersion() throws Exception {
        start(null);
        HttpResponse<String> alias = call("GET", admin + "/admin/aliases/bot", null);
        assertThat(alias.statusCode()).isEqualTo(200);
        assertThat(alias.headers().firstValue("etag")).contains("\"1\"");
        assertThat(Http.json(alias).get("split").toString()).isEqualTo("{\"v1\":90,\"v2\":10}");
        HttpResponse<String> version = call("GET", admin + "/admin/versions/v2", null);
        assertThat(version.statusCode()).isEqualTo(200);
        assertThat(Http.json(version).get("url").asText()).isEqualTo("http://127.0.0.1:9/v1");
        assertThat(call("GET", admin + "/admin/aliases/nobody", null).statusCode()).isEqualTo(404);
        assertThat(call("GET", admin + "/admin/versions/v9", null).statusCode()).isEqualTo(404);

        HttpResponse<String> inUse = call("DELETE", admin + "/admin/versions/v1", null);
        assertThat(inUse.statusCode()).isEqualTo(409);
        JsonNode error = Http.json(inUse).get("error");
        assertThat(error.get("type").asText()).isEqualTo("in_use");
        assertThat(error.get("message").asText()).contains("bot, other");
        assertThat(error.get("errors").toString()).isEqualTo("[\"aliases.bot.split.v1\",\"aliases.other.split.v1\"]");
        assertThat(gateway.store().current().revision()).isEqualTo(1);

        HttpResponse<String> deleted = call("DELETE", admin + "/admin/aliases/other", null, "if-match", "\"1\"");
        assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(200);
        assertThat(gateway.store().current().alias("other")).isNull();
        assertThat(Http.json(call("GET", admin + "/admin/history?limit=1", null)).get(0).get("action").asText())
                .isEqualTo("delete-alias other");
        assertThat(call("DELETE", admin + "/admin/aliases/other", null).statusCode()).isEqualTo(404);
        call("PATCH", admin + "/admin/aliases/bot", "{\"split\":{\"v2\":null}}");
        assertThat(call("DELETE", admin + "/admin/versions/v2", null).statusCode()).isEqualTo(200);
        assertThat(gateway.store().current().version("v2")).isNull();
    }

    @Test
    void shouldRollBackByRollingForward() throws Exception {
        start(null);
        call("PATCH", admin + "/admin/aliases/bot", "{\"split\":{\"v2\":100}}");
        call("PUT", admin + "/admin/versions/v3", "{\"url\":\"http://127.0.0.1:9/v1\"}");
        HttpResponse<String> rolledBack = call("POST", admin + "/admin/rollback", "{\"toRevision\":1,\"reason\":\"v2 is rude\"}",
                "x-turnout-author", "bob");
        assertThat(rolledBack.statusCode()).as(rolledBack.body()).isEqualTo(200);
        assertThat(gateway.store().current().revision()).isEqualTo(4);
        assertThat(gateway.store().current().sameRoutesAs(RouteCodec.fromYaml(ROUTES))).isTrue();
        JsonNode last = Http.json(call("GET", admin + "/admin/history?limit=1", null)).get(0);
        assertThat(last.get("action").asText()).isEqualTo("rollback to 1");
        assertThat(last.get("reason").asText()).isEqualTo("v2 is rude");
        assertThat(last.get("author").asText()).isEqualTo("bob");
        // The audit trail is intact: revisions 1..4 are all still there.
        assertThat(Http.json(call("GET", admin + "/admin/history", null)).size()).isEqualTo(4);
        // Without toRevision, rollback goes to the revision before the current one.
        call("POST", admin + "/admin/rollback", null);
        assertThat(gateway.store().current().version("v3")).isNotNull();
    }

    @Test
    void shouldRollBackOneAliasAndLeaveTheOthers() throws Exception {
        start(null);
        call("PATCH", admin + "/admin/aliases/bot", "{\"split\":{\"v2\":100}}");
        call("PATCH", admin + "/admin/aliases/other", "{\"split\":{\"v2\":1}}");
        HttpResponse<String> rolledBack = call("POST", admin + "/admin/aliases/bot/rollback", "{\"reason\":\"undo ramp\"}");
        assertThat(rolledBack.statusCode()).as(rolledBack.body()).isEqualTo(200);
        assertThat(gateway.store().current().alias("bot").split()).isEqualTo(Map.of("v1", 90.0, "v2", 10.0));
        assertThat(gateway.store().current().alias("other").split()).isEqualTo(Map.of("v1", 1.0, "v2", 1.0));
    }

    @Test
    void shouldRequireTheTokenWhenOneIsSetButLeaveProbesOpen() throws Exception {
        start("s3cret-token");
        assertThat(call("GET", admin + "/admin/routes", null).statusCode()).isEqualTo(401);
        assertThat(call("GET", admin + "/admin/routes", null, "authorization", "Bearer wrong").statusCode()).isEqualTo(401);
        assertThat(call("GET", admin + "/admin/routes", null, "authorization", "Bearer s3cret-token").statusCode()).isEqualTo(200);
        assertThat(call("GET", admin + "/health/live", null).statusCode()).isEqualTo(200);
        JsonNode ready = Http.json(call("GET", admin + "/health/ready", null));
        assertThat(ready.get("status").asText()).isEqualTo("UP");
        assertThat(ready.get("appliedRevision").asLong()).isEqualTo(1);
    }

    @Test
    void shouldRefuseToBindBeyondLoopbackWithoutAToken() {
        Throwable failure = AdminServer.start(vertx, new GatewayConfig.Admin("0.0.0.0", 0, null), RouteStore.memory(1), null)
                .cause();
        assertThat(failure).isInstanceOf(ConfigException.class).hasMessageContaining("TURNOUT_ADMIN_TOKEN");
    }

    @Test
    void shouldReportStatus() throws Exception {
        start(null);
        JsonNode status = Http.json(call("GET", admin + "/admin/status", null));
        assertThat(status.get("appliedRevision").asLong()).isEqualTo(1);
        assertThat(status.at("/store/kind").asText()).isEqualTo("memory");
        assertThat(status.get("converged").asBoolean()).isTrue();
    }
}
