package dev.turnout.admin;

import static dev.turnout.testing.Fixtures.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.Gateway;
import dev.turnout.golden.GoldenSets;
import dev.turnout.route.RouteCodec;
import dev.turnout.store.RedisStoreOptions;
import dev.turnout.store.RouteStore;
import dev.turnout.testing.Fixtures;
import dev.turnout.testing.Http;
import dev.turnout.testing.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A gateway whose routes are in Redis keeps its golden sets there too, so every instance sees them. */
class GoldenSetRedisGatewayTest {

    @RegisterExtension
    static final RedisServer REDIS = RedisServer.extension();
    private static final String ROUTES = "versions:\n  v1: { url: 'http://127.0.0.1:9/v1' }\naliases:\n  bot: { split: { v1: 1 } }\n";
    private static final String SET = "{\"id\": \"a\", \"prompt\": \"2+2=\", \"check\": {\"kind\": \"number\", \"value\": 4}}\n";

    private Gateway start(Vertx vertx, String instance) {
        return await(Gateway.start(vertx, Fixtures.config(false, 4L << 20),
                RouteStore.redis(vertx, RedisStoreOptions.of(REDIS.uri(), "golden-gw", instance, 10)),
                RouteCodec.fromYaml(ROUTES), Map.<String, String>of()::get));
    }

    @Test
    void aSetPutOnOneInstanceIsReadOnAnotherAndStoredUnderItsKey() {
        Vertx vertx = Vertx.vertx();
        Gateway one = start(vertx, "one");
        Gateway two = start(vertx, "two");
        RedisClient probe = RedisClient.create(REDIS.uri());
        try (StatefulRedisConnection<String, String> connection = probe.connect()) {
            HttpResponse<String> stored = Http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + one.adminPort()
                    + "/admin/golden-sets/arith")).header("content-type", "application/jsonl").PUT(HttpRequest.BodyPublishers.ofString(SET)));
            assertThat(stored.statusCode()).as(stored.body()).isEqualTo(200);

            HttpResponse<String> read = Http.get("http://127.0.0.1:" + two.adminPort() + "/admin/golden-sets/arith");

            assertThat(read.statusCode()).isEqualTo(200);
            assertThat(GoldenSets.parse("arith", read.body(), true)).isEqualTo(GoldenSets.parse("arith", SET, true));
            assertThat(connection.sync().get("{golden-gw}:golden:arith")).isEqualTo(read.body());

            connection.sync().set("{golden-gw}:golden:arith", "garbage");
            HttpResponse<String> corrupt = Http.get("http://127.0.0.1:" + two.adminPort() + "/admin/golden-sets/arith");
            assertThat(corrupt.statusCode()).isEqualTo(409);
            assertThat(Http.json(corrupt).path("error").path("message").asText()).contains("{golden-gw}:golden:arith");
        } finally {
            probe.shutdown();
            await(one.close());
            await(two.close());
            await(vertx.close());
        }
    }
}
