package dev.turnout.upstream;

import static dev.turnout.testing.Fixtures.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.route.RouteCodec;
import dev.turnout.route.RouteTable;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class UpstreamPoolsTest {

    private final Vertx vertx = Vertx.vertx();
    private final UpstreamPools pools = new UpstreamPools(vertx, 4, 2);

    @AfterEach
    void stop() {
        pools.closeAll();
        await(vertx.close());
    }

    private static RouteTable table(String versions, String split) {
        return RouteCodec.fromYaml("versions:\n" + versions + "aliases:\n  bot: { split: { " + split + " } }\n");
    }

    @Test
    void shouldRetirePrimaryAndShadowPoolsOfVersionsThatLeaveOrMove() {
        RouteTable before = table("  kept: { url: 'http://127.0.0.1:9001/v1' }\n"
                + "  moved: { url: 'http://127.0.0.1:9002/v1' }\n"
                + "  removed: { url: 'http://127.0.0.1:9003/v1' }\n", "kept: 1, moved: 1, removed: 1");
        HttpClient kept = pools.primary(before, before.version("kept"));
        pools.shadow(before, before.version("kept"));
        pools.primary(before, before.version("moved"));
        pools.shadow(before, before.version("moved"));
        pools.primary(before, before.version("removed"));
        pools.shadow(before, before.version("removed"));
        assertThat(pools.size()).isEqualTo(6);

        RouteTable after = table("  kept: { url: 'http://127.0.0.1:9001/v1', model: renamed }\n"
                + "  moved: { url: 'http://127.0.0.1:9004/v1' }\n", "kept: 1, moved: 1");
        // The first call that sees the new table retires the pools it no longer describes.
        assertThat(pools.primary(after, after.version("kept"))).isSameAs(kept);
        assertThat(pools.size()).isEqualTo(2);
        pools.shadow(after, after.version("moved"));
        assertThat(pools.size()).isEqualTo(3);
    }

    @Test
    void shouldRetirePoolsOnARouteChangeWithoutWaitingForARequest() {
        RouteTable before = table("  v: { url: 'http://127.0.0.1:9001/v1' }\n  w: { url: 'http://127.0.0.1:9002/v1' }\n", "v: 1, w: 1");
        pools.primary(before, before.version("v"));
        pools.shadow(before, before.version("w"));
        pools.follow(table("  v: { url: 'http://127.0.0.1:9001/v1' }\n", "v: 1"));
        assertThat(pools.size()).isEqualTo(1);
    }

    @Test
    void shouldLetACallUnderWayOnARetiredPoolFinish() {
        Promise<HttpServerRequest> held = Promise.promise();
        HttpServer server = await(vertx.createHttpServer().requestHandler(held::tryComplete).listen(0, "127.0.0.1"));
        RouteTable before = table("  v: { url: 'http://127.0.0.1:" + server.actualPort() + "/v1' }\n", "v: 1");
        Future<String> answer = pools.primary(before, before.version("v"))
                .request(UpstreamRequests.options(before.version("v"), "/chat/completions", 5_000))
                .compose(request -> request.send("{}")).compose(HttpClientResponse::body).map(Buffer::toString);
        HttpServerRequest underWay = await(held.future());

        RouteTable moved = table("  v: { url: 'http://127.0.0.1:1/v1' }\n", "v: 1");
        pools.primary(moved, moved.version("v"));
        underWay.response().end("finished");
        assertThat(await(answer)).isEqualTo("finished");
    }

    @Test
    void shouldKeepTheShadowPoolApartFromThePrimaryPool() {
        RouteTable table = table("  v: { url: 'http://127.0.0.1:9001/v1' }\n", "v: 1");
        assertThat(pools.shadow(table, table.version("v"))).isNotSameAs(pools.primary(table, table.version("v")));
    }
}
