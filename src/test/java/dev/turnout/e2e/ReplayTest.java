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
import dev.turnout.store.RedisStoreOptions;
import dev.turnout.store.RouteStore;
import dev.turnout.testing.Fixtures;
import dev.turnout.testing.Http;
import dev.turnout.testing.RedisServer;
import io.vertx.core.Vertx;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Recording and replay end to end: live traffic to an alias is recorded (redacted), then replayed
 * against a candidate at a fixed rate, and the pairs land in the diff report beside a shadow's.
 */
class ReplayTest {

    private static final int RECORDED = 500;
    private static final double RATE = 200;

    private Vertx vertx;
    private SimServer primary;
    private SimServer candidate;
    private Gateway gateway;
    private RedisServer redis;

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        primary = Fixtures.sim(vertx, SimOptions.defaults("support-v1").withTokens(12).withParaphrase(true));
        candidate = Fixtures.sim(vertx, SimOptions.defaults("support-v2").withTokens(12).withParaphrase(true));
    }

    @AfterEach
    void stop() {
        if (gateway != null) await(gateway.close());
        await(vertx.close());
        if (redis != null) redis.close();
    }

    private String routes() {
        return String.join("\n",
                "versions:",
                "  support-v1: { url: '" + primary.baseUrl() + "' }",
                "  support-v2: { url: '" + candidate.baseUrl() + "' }",
                "aliases:",
                "  support-bot: { split: { support-v1: 1 } }",
                "  shadowed-bot: { split: { support-v1: 1 }, noiseSample: 1.0, shadow: [ { version: support-v2, sample: 1.0 } ] }",
                "");
    }

    private GatewayConfig config() {
        return Fixtures.config(false, 1 << 20).withRecording(GatewayConfig.Recording.defaults().on(1.0, List.of("support-bot")));
    }

    private String base() {
        return "http://127.0.0.1:" + gateway.port();
    }

    private String admin() {
        return "http://127.0.0.1:" + gateway.adminPort();
    }

    @Test
    void shouldRecordAndReplayAgainstACandidateWithAMemoryStore() {
        gateway = Fixtures.gateway(vertx, config(), RouteCodec.fromYaml(routes()), Map.of());
        recordAndReplay();
    }

    @Test
    void shouldRecordAndReplayAgainstACandidateWithARedisStore() {
        redis = RedisServer.startNew();
        RouteStore store = RouteStore.redis(vertx, RedisStoreOptions.of(redis.uri(), "turnout", "i0", 100));
        gateway = await(Gateway.start(vertx, config(), store, RouteCodec.fromYaml(routes()), Map.<String, String>of()::get));
        recordAndReplay();
    }

    @Test
    void shouldRecordAndCompareStreamedAnswers() {
        gateway = Fixtures.gateway(vertx, config(), RouteCodec.fromYaml(routes()), Map.of());
        Instant from = Instant.now().minusSeconds(1);
        for (int i = 0; i < 10; i++) {
            HttpResponse<String> answer = Http.send(post(base() + "/v1/chat/completions", "{\"model\":\"support-bot\","
                    + "\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"question " + i + "\"}]}"));
            assertThat(answer.body()).contains("data: [DONE]");
        }
        awaitTrue(() -> metric("turnout_recorded_total") >= 10, () -> "10 recorded");
        HttpResponse<String> created = Http.send(post(admin() + "/admin/replays", "{\"alias\":\"support-bot\","
                + "\"candidate\":\"support-v2\",\"from\":\"" + from + "\",\"ratePerSecond\":100,\"noiseSample\":0}"));
        String id = json(created).get("id").asText();
        assertThat(awaitReplay(id, r -> !r.get("state").asText().equals("running")).get("state").asText()).isEqualTo("done");
        JsonNode entry = awaitEntry("replay:" + id, e -> e.get("pairs").asLong() == 10);
        assertThat(entry.at("/verdicts/error").asLong()).as("both sides reassembled from their streams").isZero();
        JsonNode sample = json(Http.get(admin() + "/admin/diffs/samples?alias=replay:" + id + "&limit=1")).get(0);
        assertThat(sample.get("primaryText").asText()).isNotBlank();
        assertThat(sample.get("candidateText").asText()).isNotBlank();
    }

    @Test
    void shouldListEveryProblemOfAReplayAndRefuseUnknownVersions() {
        gateway = Fixtures.gateway(vertx, config(), RouteCodec.fromYaml(routes()), Map.of());
        HttpResponse<String> invalid = Http.send(post(admin() + "/admin/replays", "{\"candidate\":7,\"from\":\"yesterday\","
                + "\"limit\":10001,\"ratePerSecond\":0.01,\"noiseSample\":2,\"colour\":\"red\"}"));
        assertThat(invalid.statusCode()).isEqualTo(422);
        assertThat(json(invalid).at("/error/errors")).extracting(JsonNode::asText).containsExactlyInAnyOrder(
                "unknown field 'colour' (expected one of [alias, candidate, from, limit, noiseSample, ratePerSecond, to])",
                "alias is required", "candidate must be a non-empty string",
                "from must be an ISO-8601 instant such as 2026-01-01T00:00:00Z, not 'yesterday'",
                "limit must be 1..10000, got 10001", "ratePerSecond must be 0.1..1000.0, got 0.01",
                "noiseSample must be 0.0..1.0, got 2");
        String from = Instant.now().minusSeconds(60).toString();
        HttpResponse<String> unknownAlias = Http.send(post(admin() + "/admin/replays",
                "{\"alias\":\"nope\",\"candidate\":\"support-v2\",\"from\":\"" + from + "\"}"));
        assertThat(unknownAlias.statusCode()).isEqualTo(404);
        assertThat(json(unknownAlias).at("/error/message").asText()).contains("no alias 'nope'");
        HttpResponse<String> unknownCandidate = Http.send(post(admin() + "/admin/replays",
                "{\"alias\":\"support-bot\",\"candidate\":\"support-v9\",\"from\":\"" + from + "\"}"));
        assertThat(unknownCandidate.statusCode()).isEqualTo(404);
        assertThat(json(unknownCandidate).at("/error/message").asText()).contains("no version 'support-v9'");
        assertThat(Http.get(admin() + "/admin/replays/none").statusCode()).isEqualTo(404);
        assertThat(Http.send(post(admin() + "/admin/replays/none/cancel", "")).statusCode()).isEqualTo(404);
    }

    @Test
    void shouldStopSendingOnceCancelled() {
        gateway = Fixtures.gateway(vertx, config(), RouteCodec.fromYaml(routes()), Map.of());
        Instant from = Instant.now().minusSeconds(1);
        for (int i = 0; i < 20; i++) {
            assertThat(Http.send(post(base() + "/v1/chat/completions", Http.chat("support-bot"))).statusCode()).isEqualTo(200);
        }
        awaitTrue(() -> metric("turnout_recorded_total") >= 20, () -> "20 recorded");
        long candidateBefore = candidate.requestCount();
        HttpResponse<String> created = Http.send(post(admin() + "/admin/replays", "{\"alias\":\"support-bot\","
                + "\"candidate\":\"support-v2\",\"from\":\"" + from + "\",\"ratePerSecond\":2,\"noiseSample\":0}"));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String id = json(created).get("id").asText();
        awaitReplay(id, r -> r.at("/counts/sent").asLong() >= 1);
        JsonNode cancelled = json(Http.send(post(admin() + "/admin/replays/" + id + "/cancel", "")));
        assertThat(cancelled.get("state").asText()).isEqualTo("cancelled");
        assertThat(cancelled.get("finishedAt").isNull()).isFalse();
        long sent = cancelled.at("/counts/sent").asLong();
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1_500));
        assertThat(json(Http.get(admin() + "/admin/replays/" + id)).at("/counts/sent").asLong()).isEqualTo(sent);
        assertThat(candidate.requestCount() - candidateBefore).isEqualTo(sent).isLessThan(20);
    }

    @Test
    void shouldKeepAtMostAHundredReplaysForgettingTheOldestFinishedOne() {
        gateway = Fixtures.gateway(vertx, config(), RouteCodec.fromYaml(routes()), Map.of());
        Instant from = Instant.now().minusSeconds(1);
        assertThat(Http.send(post(base() + "/v1/chat/completions", Http.chat("support-bot"))).statusCode()).isEqualTo(200);
        awaitTrue(() -> metric("turnout_recorded_total") >= 1, () -> "one recorded");
        // At 0.1/s the first request would go out after 10 s: every replay is still running.
        String slow = "{\"alias\":\"support-bot\",\"candidate\":\"support-v2\",\"from\":\"" + from + "\",\"ratePerSecond\":0.1}";
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            HttpResponse<String> created = Http.send(post(admin() + "/admin/replays", slow));
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            ids.add(json(created).get("id").asText());
        }
        HttpResponse<String> refused = Http.send(post(admin() + "/admin/replays", slow));
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(json(refused).at("/error/type").asText()).isEqualTo("too_many_replays");
        assertThat(json(Http.send(post(admin() + "/admin/replays/" + ids.get(50) + "/cancel", ""))).get("state").asText())
                .isEqualTo("cancelled");
        assertThat(Http.send(post(admin() + "/admin/replays", slow)).statusCode()).isEqualTo(201);
        JsonNode listed = json(Http.get(admin() + "/admin/replays")).get("replays");
        assertThat(listed).hasSize(100);
        assertThat(listed).noneSatisfy(r -> assertThat(r.get("id").asText()).isEqualTo(ids.get(50)));
        assertThat(Http.get(admin() + "/admin/replays/" + ids.get(50)).statusCode()).isEqualTo(404);
    }

    private void recordAndReplay() {
        Instant from = Instant.now().minusSeconds(1);
        List<HttpRequest.Builder> requests = new ArrayList<>();
        for (int i = 0; i < RECORDED; i++) {
            requests.add(post(base() + "/v1/chat/completions", "{\"model\":\"support-bot\",\"user\":\"customer-" + i + "\","
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"Order " + i + ": write to jane" + i
                    + "@example.com or call +1 415 555 0" + String.format("%03d", i) + "\"}]}"));
        }
        assertThat(Http.sendAll(requests, 16)).allSatisfy(answer -> assertThat(answer.statusCode()).isEqualTo(200));
        // One pair through a real shadow, to compare the report's shape with.
        assertThat(Http.send(post(base() + "/v1/chat/completions", Http.chat("shadowed-bot"))).statusCode()).isEqualTo(200);
        awaitTrue(() -> metric("turnout_recorded_total") >= RECORDED, () -> "all " + RECORDED + " exchanges recorded: "
                + Http.get(admin() + "/metrics").body().lines().filter(l -> l.startsWith("turnout_record")).toList());
        assertThat(metric("turnout_recorded_total")).isEqualTo(RECORDED);
        long candidateBefore = candidate.requestCount();

        HttpResponse<String> created = Http.send(post(admin() + "/admin/replays", "{\"alias\":\"support-bot\","
                + "\"candidate\":\"support-v2\",\"from\":\"" + from + "\",\"to\":\"" + Instant.now().plusSeconds(1) + "\","
                + "\"limit\":10000,\"ratePerSecond\":" + RATE + ",\"noiseSample\":0.2}"));
        long startNanos = System.nanoTime();
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String id = json(created).get("id").asText();
        JsonNode done = awaitReplay(id, r -> !r.get("state").asText().equals("running"));
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        assertThat(done.get("state").asText()).as(done.toString()).isEqualTo("done");
        assertThat(seconds).as("the rate holds: %s requests at %s/s", RECORDED, RATE).isGreaterThanOrEqualTo(RECORDED / RATE - 0.05);
        assertThat(done.at("/counts/read").asLong()).isEqualTo(RECORDED);
        assertThat(done.at("/counts/sent").asLong()).isEqualTo(RECORDED);
        assertThat(done.at("/counts/failed").asLong()).isZero();
        assertThat(candidate.requestCount() - candidateBefore).isEqualTo(RECORDED);

        String alias = "replay:" + id;
        JsonNode entry = awaitEntry(alias, e -> e.get("pairs").asLong() == RECORDED);
        assertThat(entry.get("primary").asText()).isEqualTo("support-v1");
        assertThat(entry.get("candidate").asText()).isEqualTo("support-v2");
        assertThat(entry.at("/verdicts/error").asLong()).isZero();
        assertThat(entry.get("noisePairs").asLong()).isPositive();
        JsonNode shadow = awaitEntry("shadowed-bot", e -> e.get("pairs").asLong() == 1 && e.get("noisePairs").asLong() == 1);
        assertThat(fields(entry)).isEqualTo(fields(shadow));
        JsonNode view = json(Http.get(admin() + "/admin/replays/" + id));
        assertThat(view.get("diffs")).hasSize(1);
        assertThat(view.at("/diffs/0/alias").asText()).isEqualTo(alias);
        assertThat(json(Http.get(admin() + "/admin/replays")).get("replays")).anySatisfy(r ->
                assertThat(r.get("id").asText()).isEqualTo(id));

        // What was sent again is what was recorded: redacted.
        JsonNode samples = json(Http.get(admin() + "/admin/diffs/samples?alias=" + alias + "&limit=100"));
        assertThat(samples.size()).isPositive();
        for (JsonNode sample : samples) {
            String request = sample.get("request").asText();
            assertThat(request).contains("[redacted-email]").contains("[redacted-phone]")
                    .doesNotContain("@example.com").doesNotContain("customer-");
        }
    }

    private static Set<String> fields(JsonNode node) {
        Set<String> names = new HashSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private JsonNode awaitReplay(String id, Predicate<JsonNode> done) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            JsonNode replay = json(Http.get(admin() + "/admin/replays/" + id));
            if (done.test(replay)) return replay;
            if (System.nanoTime() > deadline) throw new AssertionError("replay never finished: " + replay);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    private JsonNode awaitEntry(String alias, Predicate<JsonNode> done) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        JsonNode last = null;
        while (true) {
            for (JsonNode entry : json(Http.get(admin() + "/admin/diffs")).get("candidates")) {
                if (entry.get("alias").asText().equals(alias)) {
                    last = entry;
                    if (done.test(entry)) return entry;
                }
            }
            if (System.nanoTime() > deadline) throw new AssertionError("no entry for " + alias + " as expected: " + last);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }

    private double metric(String name) {
        for (String line : Http.get(admin() + "/metrics").body().split("\n")) {
            if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return 0;
    }

    private void awaitTrue(java.util.function.BooleanSupplier condition, java.util.function.Supplier<String> what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("never: " + what.get());
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }
}
