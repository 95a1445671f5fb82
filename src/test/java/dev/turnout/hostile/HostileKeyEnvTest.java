package dev.turnout.hostile;

import static dev.turnout.testing.Fixtures.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.Gateway;
import dev.turnout.config.ConfigException;
import dev.turnout.route.Alias;
import dev.turnout.route.ModelVersion;
import dev.turnout.route.RouteCodec;
import dev.turnout.route.RouteTable;
import dev.turnout.route.Shadow;
import dev.turnout.route.Sticky;
import dev.turnout.store.ChangeInfo;
import dev.turnout.store.RouteStore;
import dev.turnout.testing.Fixtures;
import dev.turnout.testing.Http;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A route table that names a variable the allow-list refuses can still reach an instance (written
 * to Redis directly, or stored before the list was narrowed): the data plane must never read it.
 */
class HostileKeyEnvTest {

    private static final Map<String, String> ENVIRONMENT = Map.of(
            "OPENAI_API_KEY", "sk-good",
            "JAVA_TOOL_OPTIONS", "-Dleaked.secret=1",
            "TURNOUT_ADMIN_TOKEN", "admin-secret");

    private final Vertx vertx = Vertx.vertx();
    private final Map<String, String> authorizationByModel = new ConcurrentHashMap<>();
    private final CompletableFuture<String> shadowAuthorization = new CompletableFuture<>();
    private Gateway gateway;

    @AfterEach
    void stop() {
        if (gateway != null) await(gateway.close());
        await(vertx.close());
    }

    /** An upstream the attacker controls: it records the Authorization each model's requests carry. */
    private String upstream() {
        HttpServer server = await(vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
            String model = new JsonObject(body).getString("model");
            String authorization = String.valueOf(request.getHeader("authorization"));
            if ("1".equals(request.getHeader("x-turnout-shadow"))) shadowAuthorization.complete(model + " " + authorization);
            else authorizationByModel.put(model, authorization);
            request.response().putHeader("content-type", "application/json").end("{\"choices\":[]}");
        })).listen(0, "127.0.0.1"));
        return "http://127.0.0.1:" + server.actualPort() + "/v1";
    }

    private static ModelVersion version(String id, String url, String apiKeyEnv) {
        return new ModelVersion(id, URI.create(url), id + "-model", apiKeyEnv, 10_000, false, null, 0);
    }

    private static Alias alias(String name, String version, List<Shadow> shadows) {
        return new Alias(name, Map.of(version, 1.0), Sticky.CLIENT, Map.of(), shadows, 0, null);
    }

    @Test
    void shouldNeverReadADisallowedVariableEvenFromATableThatSkippedTheAdminApi() throws Exception {
        String url = upstream();
        gateway = Fixtures.gateway(vertx, Fixtures.config(false, 1 << 20), RouteCodec.fromYaml(
                "versions: { good: { url: '" + url + "', apiKeyEnv: OPENAI_API_KEY } }\naliases: { a: { split: { good: 1 } } }\n"),
                ENVIRONMENT);
        // Built directly, as a Redis writer could: no validation of any kind.
        Map<String, ModelVersion> versions = new LinkedHashMap<>();
        versions.put("good", version("good", url, "OPENAI_API_KEY"));
        versions.put("jvm", version("jvm", url, "JAVA_TOOL_OPTIONS"));
        versions.put("own", version("own", url, "TURNOUT_ADMIN_TOKEN"));
        Map<String, Alias> aliases = new LinkedHashMap<>();
        aliases.put("good", alias("good", "good", List.of(new Shadow("own", 1.0))));
        aliases.put("jvm", alias("jvm", "jvm", List.of()));
        aliases.put("own", alias("own", "own", List.of()));
        RouteStore store = gateway.store();
        await(store.write(RouteTable.of(0, versions, aliases, Map.of()), store.current().revision(),
                new ChangeInfo("redis-writer", "", "replace")));

        String base = "http://127.0.0.1:" + gateway.port() + "/v1/chat/completions";
        for (String alias : List.of("good", "jvm", "own")) {
            assertThat(Http.send(Http.post(base, Http.chat(alias))).statusCode()).as(alias).isEqualTo(200);
        }
        assertThat(authorizationByModel).containsEntry("good-model", "Bearer sk-good")
                .containsEntry("jvm-model", "null").containsEntry("own-model", "null");
        assertThat(shadowAuthorization.get(10, TimeUnit.SECONDS)).isEqualTo("own-model null");
    }

    @Test
    void shouldRefuseToStartOnRoutesNamingAVariableOutsideTheAllowList() {
        RouteTable seed = RouteCodec.fromYaml("versions: { v1: { url: 'http://127.0.0.1:9/v1', apiKeyEnv: REDIS_PASSWORD } }\n");
        Throwable failure = await(Gateway.start(vertx, Fixtures.config(false, 1 << 20), RouteStore.memory(10), seed,
                ENVIRONMENT::get).map(started -> {
                    gateway = started;
                    return (Throwable) null;
                }).otherwise(error -> error));
        assertThat(failure).isInstanceOf(ConfigException.class)
                .hasMessageContaining("versions.v1.apiKeyEnv: 'REDIS_PASSWORD' is not an allowed key variable")
                .hasMessageContaining("[*_API_KEY]");
    }
}
