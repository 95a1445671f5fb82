package dev.turnout.e2e;

import static dev.turnout.testing.Fixtures.await;
import static dev.turnout.testing.Http.json;
import static dev.turnout.testing.Http.post;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.turnout.config.GatewayConfig;
import dev.turnout.route.RouteCodec;
import dev.turnout.route.RouteTable;
import dev.turnout.sim.SimOptions;
import dev.turnout.sim.SimServer;
import dev.turnout.testing.Fixtures;
import dev.turnout.testing.Http;
import dev.turnout.testing.RedisFleet;
import dev.turnout.testing.RedisServer;
import io.lettuce.core.RedisClient;
import io.vertx.core.Vertx;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two gateways on one redis-server, as behind a load balancer: a replay runs on the instance that
 * accepted it (A), and the other (B) answers for it from the document A writes to Redis.
 */
class FleetReplayTest {

    private static final int RECORDED = 40;

    private RedisServer redis;
    private Vertx simVertx;
    private RedisFleet instances;

    @BeforeEach
    void start() {
        redis = RedisServer.startNew();
        simVertx = Vertx.vertx();
        SimServer v1 = Fixtures.sim(simVertx, SimOptions.defaults("support-v1").withTokens(12));
        SimServer v2 = Fixtures.sim(simVertx, SimOptions.defaults("support-v2").withTokens(12));
        RouteTable routes = RouteCodec.fromYaml(String.join("\n",
                "versions:",
                "  support-v1: { url: '" + v1.baseUrl() + "' }",
                "  support-v2: { url: '" + v2.baseUrl() + "' }",
                "aliases:",
                "  support-bot: { split: { support-v1: 1 } }",
                ""));
        instances = RedisFleet.start(redis, 2, Fixtures.config(false, 1 << 20)
                .withRecording(GatewayConfig.Recording.defaults().on(1.0, List.of("support-bot"))), routes);
    }

    @AfterEach
    void stop() {
        if (instances != null) instances.close();
        await(simVertx.close());
        redis.close();
    }

    private String admin(int instance) {
        return instances.admin(instance);
    }

    private Instant record(int requests) {
        Instant from = Instant.now().minusSeconds(1);
        for (int i = 0; i < requests; i++) {
            HttpResponse<String> answer = Http.send(post(instances.data(0) + "/v1/chat/completions",
                    "{\"model\":\"support-bot\",\"messages\":[{\"role\":\"user\",\"content\":\"question " + i + "\"}]}"));
            assertThat(answer.statusCode()).isEqualTo(200);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!Http.get(admin(0) + "/metrics").body().contains("turnout_recorded_total " + (double) requests)) {
            if (System.nanoTime() > deadline) throw new AssertionError("never recorded " + requests);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        return from;
    }

    private String startReplay(Instant from, double rate) {
        HttpResponse<String> created = Http.send(post(admin(0) + "/admin/replays", "{\"alias\":\"support-bot\","
                + "\"candidate\":\"support-v2\",\"from\":\"" + from + "\",\"to\":\"" + Instant.now().plusSeconds(1) + "\","
                + "\"ratePerSecond\":" + rate + ",\"noiseSample\":0}"));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(json(created).get("instance").asText()).isEqualTo("instance-0");
        return json(created).get("id").asText();
    }

    /** Polls {@code url} until it answers 200 with a body {@code done} accepts; {@code seen} collects every 200 body. */
    private static JsonNode awaitJson(String url, List<JsonNode> seen, Predicate<JsonNode> done) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String last = null;
        while (true) {
            HttpResponse<String> answer = Http.get(url);
            last = answer.statusCode() + " " + answer.body();
            if (answer.statusCode() == 200) {
                JsonNode body = json(answer);
                if (seen != null) seen.add(body);
                if (done.test(body)) return body;
            }
            if (System.nanoTime() > deadline) throw new AssertionError(url + " never reached the expected state: " + last);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }

    @Test
    void shouldFollowAReplayFromAnInstanceThatDoesNotRunIt() {
        String id = startReplay(record(RECORDED), 20); // about 2 s
        List<JsonNode> seen = new ArrayList<>();
        JsonNode fromB = awaitJson(admin(1) + "/admin/replays/" + id, seen, r -> r.get("state").asText().equals("done"));
        assertThat(seen).as("B saw it running, its counts growing").anySatisfy(r -> {
            assertThat(r.get("state").asText()).isEqualTo("running");
            assertThat(r.at("/counts/sent").asLong()).isBetween(1L, RECORDED - 1L);
        });
        JsonNode fromA = json(Http.get(admin(0) + "/admin/replays/" + id));
        assertThat(fromA.get("state").asText()).isEqualTo("done");
        ObjectNode stateOfA = fromA.deepCopy();
        stateOfA.remove("diffs");
        ObjectNode stateOfB = fromB.deepCopy();
        stateOfB.remove("diffs");
        assertThat(stateOfB).as("B answers what A does, counts included").isEqualTo(stateOfA);
        assertThat(fromB.at("/counts/compared").asLong()).isEqualTo(RECORDED);
        assertThat(fromB.get("instance").asText()).isEqualTo("instance-0");

        // B compared none of its pairs: they come from the fleet's diff stream.
        assertThat(json(Http.get(admin(1) + "/admin/diffs")).get("candidates")).isEmpty();
        JsonNode withDiffs = awaitJson(admin(1) + "/admin/replays/" + id, null,
                r -> r.at("/diffs/0/pairs").asLong() == RECORDED);
        assertThat(withDiffs.get("diffs")).hasSize(1);
        assertThat(withDiffs.at("/diffs/0/alias").asText()).isEqualTo("replay:" + id);
        assertThat(withDiffs.at("/diffs/0/candidate").asText()).isEqualTo("support-v2");

        JsonNode listed = json(Http.get(admin(1) + "/admin/replays"));
        assertThat(listed.get("replays")).hasSize(1);
        assertThat(listed.at("/replays/0")).isEqualTo(stateOfA);
        assertThat(listed.get("unreadable").asInt()).isZero();

        // Anyone with Redis access can write there: what is not a document is skipped and counted.
        RedisClient client = RedisClient.create(redis.uri());
        try {
            var commands = client.connect().sync();
            ObjectNode otherId = stateOfA.deepCopy().put("id", "someone-else");
            ObjectNode badCounts = stateOfA.deepCopy();
            badCounts.put("counts", "many");
            commands.hset("{turnout}:replays", Map.of("garbled", "{not json", "renamed", otherId.toString(),
                    "miscounted", badCounts.toString()));
            for (String garbled : List.of("garbled", "renamed", "miscounted")) commands.zadd("{turnout}:replays:started", 1, garbled);
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
        for (int instance = 0; instance < 2; instance++) {
            JsonNode hostile = json(Http.get(admin(instance) + "/admin/replays"));
            assertThat(hostile.get("replays")).hasSize(1);
            assertThat(hostile.at("/replays/0/id").asText()).isEqualTo(id);
            assertThat(hostile.get("unreadable").asInt()).isEqualTo(3);
        }
        assertThat(Http.get(admin(1) + "/admin/replays/garbled").statusCode()).isEqualTo(404);
        assertThat(Http.get(admin(1) + "/admin/replays/renamed").statusCode()).isEqualTo(404);
        assertThat(Http.get(admin(1) + "/admin/replays/" + id).statusCode()).isEqualTo(200);
    }

    @Test
    void shouldCancelOnlyOnTheInstanceThatRunsIt() {
        String id = startReplay(record(5), 0.5); // one request every 2 s: still running when cancelled
        awaitJson(admin(1) + "/admin/replays/" + id, null, r -> r.get("state").asText().equals("running"));
        HttpResponse<String> elsewhere = Http.send(post(admin(1) + "/admin/replays/" + id + "/cancel", ""));
        assertThat(elsewhere.statusCode()).isEqualTo(409);
        assertThat(json(elsewhere).at("/error/type").asText()).isEqualTo("replay_runs_elsewhere");
        assertThat(json(elsewhere).at("/error/message").asText()).contains("runs on instance 'instance-0'");
        assertThat(json(Http.get(admin(0) + "/admin/replays/" + id)).get("state").asText()).isEqualTo("running");

        HttpResponse<String> cancelled = Http.send(post(admin(0) + "/admin/replays/" + id + "/cancel", ""));
        assertThat(json(cancelled).get("state").asText()).isEqualTo("cancelled");
        awaitJson(admin(1) + "/admin/replays/" + id, null, r -> r.get("state").asText().equals("cancelled"));
        HttpResponse<String> ended = Http.send(post(admin(1) + "/admin/replays/" + id + "/cancel", ""));
        assertThat(ended.statusCode()).as("one that has ended stays as it is, as on its own instance").isEqualTo(200);
        assertThat(json(ended).get("state").asText()).isEqualTo("cancelled");
        assertThat(Http.send(post(admin(1) + "/admin/replays/none/cancel", "")).statusCode()).isEqualTo(404);
        assertThat(Http.get(admin(1) + "/admin/replays/none").statusCode()).isEqualTo(404);
    }
}
