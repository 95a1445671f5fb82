package dev.turnout.e2e;

import static dev.turnout.e2e.RolloutTest.THREE_STEPS;
import static dev.turnout.e2e.RolloutTest.awaitRollout;
import static dev.turnout.e2e.RolloutTest.create;
import static dev.turnout.e2e.RolloutTest.events;
import static dev.turnout.e2e.RolloutTest.spec;
import static dev.turnout.e2e.RolloutTest.state;
import static dev.turnout.testing.Fixtures.await;
import static dev.turnout.testing.Http.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.turnout.Gateway;
import dev.turnout.rollout.store.ActiveRollout;
import dev.turnout.rollout.store.RolloutStore;
import dev.turnout.route.RouteCodec;
import dev.turnout.sim.SimOptions;
import dev.turnout.sim.SimServer;
import dev.turnout.store.RedisStoreOptions;
import dev.turnout.store.RouteStore;
import dev.turnout.testing.Fixtures;
import dev.turnout.testing.Http;
import dev.turnout.testing.RedisServer;
import dev.turnout.testing.Traffic;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Three instances share a real redis-server: evidence from all three is merged, exactly one leads,
 * a killed leader is replaced without a step repeated or skipped, and Redis going away pauses the
 * rollout, which carries on when Redis is back.
 */
class RolloutFleetTest {

    private static final int INSTANCES = 3;

    private RedisServer redis;
    private Vertx simVertx;
    private final List<Vertx> vertxes = new ArrayList<>();
    private final List<Gateway> gateways = new ArrayList<>();

    @BeforeEach
    void start() {
        redis = RedisServer.startNew();
        simVertx = Vertx.vertx();
        SimServer v1 = Fixtures.sim(simVertx, SimOptions.defaults("support-v1").withLatencyMs(10));
        SimServer v2 = Fixtures.sim(simVertx, SimOptions.defaults("support-v2").withLatencyMs(10));
        String routes = String.join("\n",
                "versions:",
                "  support-v1: { url: '" + v1.baseUrl() + "' }",
                "  support-v2: { url: '" + v2.baseUrl() + "' }",
                "aliases:",
                "  support-bot: { split: { support-v1: 100 } }",
                "");
        for (int i = 0; i < INSTANCES; i++) {
            Vertx vertx = Vertx.vertx();
            vertxes.add(vertx);
            RouteStore store = RouteStore.redis(vertx, RedisStoreOptions.of(redis.uri(), "turnout", "instance-" + i, 100)
                    .withIntervals(Duration.ofMillis(200), Duration.ofMillis(200), Duration.ofSeconds(5)));
            gateways.add(await(Gateway.start(vertx, Fixtures.config(false, 1 << 20).withRollouts(RolloutTest.FAST), store,
                    RouteCodec.fromYaml(routes), Map.<String, String>of()::get)));
        }
    }

    @AfterEach
    void stop() {
        for (int i = 0; i < gateways.size(); i++) {
            if (gateways.get(i) != null) await(gateways.get(i).close().otherwiseEmpty());
        }
        vertxes.forEach(vertx -> await(vertx.close().otherwiseEmpty()));
        await(simVertx.close());
        redis.close();
    }

    private String admin(int instance) {
        return "http://127.0.0.1:" + gateways.get(instance).adminPort();
    }

    private List<String> dataPlanes() {
        List<String> bases = new ArrayList<>();
        for (Gateway gateway : gateways) bases.add("http://127.0.0.1:" + gateway.port());
        return bases;
    }

    private int leader() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            List<Integer> leaders = new ArrayList<>();
            for (int i = 0; i < gateways.size(); i++) {
                if (gateways.get(i) != null && RolloutTest.metric(admin(i), "turnout_rollout_leader") == 1.0) leaders.add(i);
            }
            if (leaders.size() == 1) return leaders.get(0);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
        throw new AssertionError("no single leader");
    }

    @Test
    void shouldHandOverToAnotherInstanceWhenTheLeaderDiesWithoutRepeatingOrSkippingAStep() {
        try (Traffic traffic = Traffic.start(dataPlanes(), "support-bot", 8, 400, Duration.ofSeconds(120))) {
            String id = create(admin(0), spec(THREE_STEPS, "\"errorRate\": {\"maxIncrease\": 0.05}", "")).get("id").asText();
            int leader = leader();
            int other = (leader + 1) % INSTANCES;
            awaitRollout(admin(other), id, rollout -> rollout.get("step").asInt() == 1, Duration.ofSeconds(60));

            // A crash, not a shutdown: the lease is not handed back, so the others must wait for it to expire.
            await(vertxes.get(leader).close().otherwiseEmpty());
            gateways.set(leader, null);

            JsonNode promoted = awaitRollout(admin(other), id, state("promoted"), Duration.ofSeconds(90));
            int successor = leader();
            assertThat(successor).isNotEqualTo(leader);
            assertThat(events(promoted).stream().filter("step"::equals)).hasSize(2);
            assertThat(events(promoted).stream().filter("pass"::equals)).hasSize(3);
            List<JsonNode> writes = RolloutTest.rolloutWrites(admin(other), id);
            assertThat(writes).extracting(alias -> alias.at("/split/support-v2").asDouble()).containsExactly(10.0, 50.0, 100.0, 100.0);
            // Evidence came from the whole fleet: more candidate requests than any one instance can have served.
            assertThat(traffic.servedBy("support-v2")).isGreaterThan(0);
        }
    }

    @Test
    void shouldPauseWhileRedisIsGoneAndCarryOnWhenItIsBack() {
        try (Traffic ignored = Traffic.start(dataPlanes(), "support-bot", 8, 400, Duration.ofSeconds(120))) {
            String id = create(admin(0), spec(THREE_STEPS, "\"errorRate\": {\"maxIncrease\": 0.05}", "")).get("id").asText();
            awaitRollout(admin(1), id, rollout -> rollout.get("step").asInt() == 1, Duration.ofSeconds(60));

            redis.pause();
            try {
                LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(4));
                JsonNode during = json(Http.get(admin(1) + "/admin/rollouts/" + id));
                assertThat(during.get("state").asText()).isEqualTo("paused");
                assertThat(during.get("stale").asBoolean()).isTrue();
                assertThat(during.get("reason").asText()).contains("unreachable");
                // The data plane keeps serving the split it last applied.
                assertThat(Http.send(Http.post("http://127.0.0.1:" + gateways.get(2).port() + "/v1/chat/completions",
                        Http.chat("support-bot"))).statusCode()).isEqualTo(200);
            } finally {
                redis.resume();
            }
            JsonNode promoted = awaitRollout(admin(2), id, state("promoted"), Duration.ofSeconds(90));
            assertThat(events(promoted)).contains("gap");
            assertThat(events(promoted).stream().filter("step"::equals)).hasSize(2);
            assertThat(promoted.has("stale")).isFalse();
        }
    }

    @Test
    void shouldSkipAGarbledRolloutInRedisAndKeepJudgingTheOthers() {
        // What Redis holds is hostile input: a document anyone with Redis access wrote, listed as active.
        Vertx vertx = vertxes.get(0);
        RolloutStore raw = RolloutStore.redis(vertx, RedisStoreOptions.of(redis.uri(), "turnout", "intruder", 100));
        await(raw.start());
        await(raw.create("ro-garbled", "{\"state\": \"running\", \"spec\": {\"steps\": \"all of them\"}}",
                new ActiveRollout("ro-garbled", "elsewhere", "support-v2", "step0.1")));
        await(raw.close());

        try (Traffic ignored = Traffic.start(dataPlanes(), "support-bot", 8, 400, Duration.ofSeconds(120))) {
            String id = create(admin(0), spec(THREE_STEPS, "\"errorRate\": {\"maxIncrease\": 0.05}", "")).get("id").asText();
            awaitRollout(admin(1), id, state("promoted"), Duration.ofSeconds(90));
        }
        JsonNode list = json(Http.get(admin(2) + "/admin/rollouts"));
        assertThat(list.get("unreadable").asInt()).isEqualTo(1);
        assertThat(list.get("rollouts")).hasSize(1);
        var garbled = Http.get(admin(2) + "/admin/rollouts/ro-garbled");
        assertThat(garbled.statusCode()).isEqualTo(409);
        assertThat(json(garbled).at("/error/message").asText()).contains("ro-garbled").contains("HDEL");
    }
}
