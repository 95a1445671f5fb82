package dev.turnout.hostile;

import static dev.turnout.testing.Fixtures.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.turnout.Gateway;
import dev.turnout.diff.DiffMetrics;
import dev.turnout.diff.DiffRecord;
import dev.turnout.diff.RedisDiffSink;
import dev.turnout.diff.Verdict;
import dev.turnout.route.RouteCodec;
import dev.turnout.route.RouteTable;
import dev.turnout.store.RedisStoreOptions;
import dev.turnout.store.RouteStore;
import dev.turnout.testing.Fixtures;
import dev.turnout.testing.Http;
import dev.turnout.testing.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.sync.RedisCommands;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What Redis holds, or how it fails, is hostile: lagging copies, garbled values, a hung server. */
class HostileRedisTest {

    private static final AtomicInteger TESTS = new AtomicInteger();
    private static final String ROUTES = String.join("\n",
            "versions:",
            "  v1: { url: 'http://127.0.0.1:1/v1' }",
            "  v2: { url: 'http://127.0.0.1:2/v1' }",
            "aliases:",
            "  bot: { split: { v1: 90, v2: 10 } }",
            "");

    @RegisterExtension
    static final RedisServer REDIS = RedisServer.extension();

    private final Vertx vertx = Vertx.vertx();
    private String prefix;
    private RedisClient probeClient;
    private RedisCommands<String, String> probe;
    private Gateway gateway;

    @BeforeEach
    void isolate() {
        prefix = "hostile" + TESTS.incrementAndGet();
        probeClient = RedisClient.create(REDIS.uri());
        probe = probeClient.connect().sync();
    }

    @AfterEach
    void close() {
        if (gateway != null) await(gateway.close().otherwiseEmpty());
        await(vertx.close());
        probeClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }

    /** One gateway on the shared Redis; {@code poll} long enough means it only learns of changes by pub/sub. */
    private String startGateway(Duration poll) {
        RouteStore store = RouteStore.redis(vertx, new RedisStoreOptions(REDIS.uri(), prefix, "hostile", 10, poll,
                Duration.ofMillis(100), Duration.ofSeconds(5), Duration.ofSeconds(1), 1000));
        gateway = await(Gateway.start(vertx, Fixtures.config(false, 1 << 20), store, RouteCodec.fromYaml(ROUTES),
                Map.<String, String>of()::get));
        return "http://127.0.0.1:" + gateway.adminPort();
    }

    private String key(String name) {
        return "{" + prefix + "}:" + name;
    }

    /** Stores a revision as another instance's write would, but without its pub/sub message. */
    private void storeSilently(long revision, double v2Weight) {
        RouteTable table = RouteCodec.fromYaml(ROUTES.replace("v2: 10", "v2: " + v2Weight)).withRevision(revision);
        String doc = RouteCodec.toJson(table);
        probe.set(key("table"), doc);
        probe.set(key("rev"), Long.toString(revision));
        probe.lpush(key("history"), "{\"revision\":" + revision + ",\"routes\":" + doc
                + ",\"author\":\"elsewhere\",\"reason\":\"\",\"action\":\"patch\",\"time\":\"" + Instant.now() + "\"}");
    }

    private static HttpResponse<String> call(String method, String url, String body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (!method.equals("GET")) request.header("content-type", "application/json"); // writes are taken as JSON or YAML only
        for (int i = 0; i < headers.length; i += 2) request.header(headers[i], headers[i + 1]);
        return Http.send(request);
    }

    private static void eventually(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("not within 10 s: " + what);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    @Test
    void shouldJudgeIfMatchAgainstTheStoreNotALaggingCopy() {
        String admin = startGateway(Duration.ofHours(1));
        storeSilently(2, 20);
        assertThat(gateway.store().current().revision()).isEqualTo(1); // it lags: no message, no poll

        HttpResponse<String> stale = call("PATCH", admin + "/admin/aliases/bot", "{\"split\":{\"v2\":30}}", "if-match", "\"1\"");
        assertThat(stale.statusCode()).isEqualTo(409);
        assertThat(stale.headers().firstValue("etag")).contains("\"2\""); // the store's revision, not the stale copy's

        HttpResponse<String> current = call("PATCH", admin + "/admin/aliases/bot", "{\"split\":{\"v2\":40}}", "if-match", "\"2\"");
        assertThat(current.statusCode()).as(current.body()).isEqualTo(200);
        assertThat(current.headers().firstValue("etag")).contains("\"3\"");
        RouteTable written = RouteCodec.fromJson(probe.get(key("table")));
        assertThat(written.revision()).isEqualTo(3);
        assertThat(written.alias("bot").split()).containsEntry("v1", 90.0).containsEntry("v2", 40.0);
    }

    @Test
    void shouldReportAGarbledRevisionAsCorruptAndLetAnUnconditionalPutRepairIt() {
        String admin = startGateway(Duration.ofMillis(100));
        probe.set(key("rev"), "not-a-number\u0001");

        JsonNode status = Http.json(call("GET", admin + "/admin/status", null));
        assertThat(status.path("store").path("state").asText()).isEqualTo("corrupt");
        assertThat(status.path("store").path("corrupt").get(0).asText()).contains(key("rev")).contains("not-a-number?");
        JsonNode ready = Http.json(call("GET", admin + "/health/ready", null));
        assertThat(ready.path("status").asText()).isEqualTo("UP");
        assertThat(ready.path("store").asText()).isEqualTo("corrupt");
        HttpResponse<String> guarded = call("PATCH", admin + "/admin/aliases/bot", "{\"split\":{\"v2\":30}}", "if-match", "\"1\"");
        assertThat(guarded.statusCode()).isEqualTo(409);
        assertThat(guarded.body()).contains("store_corrupt").contains(key("rev"));

        HttpResponse<String> repaired = call("PUT", admin + "/admin/routes", RouteCodec.toJson(RouteCodec.fromYaml(
                ROUTES.replace("v2: 10", "v2: 50"))));
        assertThat(repaired.statusCode()).as(repaired.body()).isEqualTo(200);
        assertThat(repaired.headers().firstValue("etag")).contains("\"2\""); // after the newest history entry, never reused
        assertThat(probe.get(key("rev"))).isEqualTo("2");
        assertThat(Http.json(call("GET", admin + "/admin/status", null)).path("store").path("state").asText()).isEqualTo("reachable");
    }

    @Test
    void shouldReportKeysOfTheWrongTypeAsCorruptAndRepairThem() {
        String admin = startGateway(Duration.ofMillis(100));
        probe.del(key("rev"), key("history"));
        probe.lpush(key("rev"), "not", "a", "string");
        probe.set(key("history"), "not a list");

        JsonNode status = Http.json(call("GET", admin + "/admin/status", null));
        assertThat(status.path("store").path("state").asText()).isEqualTo("corrupt");
        assertThat(status.path("store").path("corrupt").toString()).contains("WRONGTYPE");
        HttpResponse<String> history = call("GET", admin + "/admin/history", null);
        assertThat(history.statusCode()).isEqualTo(409);
        assertThat(history.body()).contains("store_corrupt");

        HttpResponse<String> repaired = call("PUT", admin + "/admin/routes", RouteCodec.toJson(RouteCodec.fromYaml(
                ROUTES.replace("v2: 10", "v2: 50"))));
        assertThat(repaired.statusCode()).as(repaired.body()).isEqualTo(200);
        assertThat(repaired.headers().firstValue("etag")).contains("\"2\""); // after the revision this instance served
        assertThat(Http.json(call("GET", admin + "/admin/history", null))).hasSize(1);
        assertThat(Http.json(call("GET", admin + "/admin/status", null)).path("store").path("state").asText()).isEqualTo("reachable");
    }

    @Test
    void shouldStartOnAGarbledHistory() {
        probe.set(key("table"), RouteCodec.toJson(RouteCodec.fromYaml(ROUTES).withRevision(1)));
        probe.set(key("rev"), "1");
        probe.set(key("history"), "not a list");
        String admin = startGateway(Duration.ofMillis(100));
        assertThat(gateway.store().current().revision()).isEqualTo(1);
        assertThat(Http.json(call("GET", admin + "/admin/status", null)).path("store").path("state").asText()).isEqualTo("reachable");
        assertThat(call("GET", admin + "/admin/history", null).body()).contains("store_corrupt").contains("WRONGTYPE");
    }

    @Test
    void shouldRefuseToStartOnAnInvalidStoredTableNamingTheKeyAndTheRepair() {
        probe.set(key("table"), "{\"revision\":4,\"versions\":{},\"aliases\":{\"bot\":{\"split\":{\"gone\":1}}}}");
        probe.set(key("rev"), "4");
        RouteStore store = RouteStore.redis(vertx, new RedisStoreOptions(REDIS.uri(), prefix, "fresh", 10, Duration.ofMillis(100),
                Duration.ofMillis(100), Duration.ofSeconds(5), Duration.ofSeconds(1), 1000));
        try {
            assertThat(store.start(RouteCodec.fromYaml(ROUTES)).toCompletionStage().toCompletableFuture())
                    .failsWithin(Duration.ofSeconds(10)).withThrowableThat().havingRootCause()
                    .withMessageContaining(key("table")).withMessageContaining("revision 4")
                    .withMessageContaining("aliases.bot").withMessageContaining("PUT /admin/routes");
        } finally {
            await(store.close());
        }
    }

    @Test
    void shouldNeverApplyAnInvalidStoredTableAndSaySo() {
        String admin = startGateway(Duration.ofMillis(100));
        probe.set(key("table"), "{\"revision\":10,\"versions\":{\"v1\":{\"url\":\"ftp://nowhere\"}},\"aliases\":{}}");
        probe.set(key("rev"), "10");

        eventually("the instance rejects revision 10", () ->
                Http.json(call("GET", admin + "/admin/status", null)).path("rejected").path("revision").asLong() == 10);
        JsonNode status = Http.json(call("GET", admin + "/admin/status", null));
        assertThat(status.path("appliedRevision").asLong()).isEqualTo(1);
        assertThat(status.path("rejected").path("errors").toString()).contains("versions.v1.url");
        assertThat(status.path("store").path("corrupt").get(0).asText()).contains(key("table"));
        JsonNode ready = Http.json(call("GET", admin + "/health/ready", null));
        assertThat(ready.path("status").asText()).isEqualTo("UP");
        assertThat(ready.path("warning").asText()).contains("revision 10").contains("serving revision 1");
        assertThat(gateway.store().current().alias("bot")).isNotNull(); // the data plane keeps its last good table
        HttpResponse<String> edit = call("PATCH", admin + "/admin/aliases/bot", "{\"split\":{\"v2\":30}}");
        assertThat(edit.statusCode()).isEqualTo(409);
        assertThat(edit.body()).contains("store_corrupt");

        HttpResponse<String> repaired = call("PUT", admin + "/admin/routes", RouteCodec.toJson(RouteCodec.fromYaml(ROUTES)));
        assertThat(repaired.statusCode()).as(repaired.body()).isEqualTo(200);
        assertThat(repaired.headers().firstValue("etag")).contains("\"11\"");
        JsonNode after = Http.json(call("GET", admin + "/admin/status", null));
        assertThat(after.has("rejected")).isFalse();
        assertThat(after.path("store").path("state").asText()).isEqualTo("reachable");
    }

    @Test
    void shouldSkipAGarbledHistoryEntryAndStillRollBack() {
        String admin = startGateway(Duration.ofMillis(100));
        for (int weight = 20; weight <= 30; weight += 10) {
            assertThat(call("PATCH", admin + "/admin/aliases/bot", "{\"split\":{\"v2\":" + weight + "}}").statusCode()).isEqualTo(200);
        }
        probe.lset(key("history"), 1, "{\"revision\":2,\"routes\":{\"versions\":[]},\"time\":\"yesterday\"}"); // revision 2, garbled
        probe.rpush(key("history"), "\u0000\u00ff not json");

        HttpResponse<String> history = call("GET", admin + "/admin/history", null);
        assertThat(history.statusCode()).isEqualTo(200);
        assertThat(history.headers().firstValue("x-turnout-history-skipped")).contains("2");
        assertThat(Http.json(history)).extracting(entry -> entry.get("revision").asLong()).containsExactly(3L, 1L);
        assertThat(call("GET", admin + "/admin/history/2", null).statusCode()).isEqualTo(404);

        HttpResponse<String> rolledBack = call("POST", admin + "/admin/rollback", "{\"reason\":\"undo\"}");
        assertThat(rolledBack.statusCode()).as(rolledBack.body()).isEqualTo(200);
        assertThat(RouteCodec.fromJson(rolledBack.body()).alias("bot").split()).containsEntry("v2", 10.0);
    }

    @Test
    void shouldKeepHistoryForARollbackWhenRedisComesBackEmpty() {
        String admin = startGateway(Duration.ofMillis(100));
        for (int weight = 20; weight <= 40; weight += 10) {
            assertThat(call("PATCH", admin + "/admin/aliases/bot", "{\"split\":{\"v2\":" + weight + "}}").statusCode()).isEqualTo(200);
        }
        REDIS.stop();
        REDIS.start(); // empty: no persistence

        eventually("the instance restores its history", () -> {
            HttpResponse<String> history = call("GET", admin + "/admin/history", null);
            return history.statusCode() == 200 && Http.json(history).size() >= 4;
        });
        HttpResponse<String> rolledBack = call("POST", admin + "/admin/rollback", "{\"reason\":\"emergency\"}");
        assertThat(rolledBack.statusCode()).as(rolledBack.body()).isEqualTo(200);
        assertThat(rolledBack.headers().firstValue("etag")).contains("\"5\"");
        assertThat(RouteCodec.fromJson(rolledBack.body()).alias("bot").split()).containsEntry("v2", 30.0);
    }

    @Test
    void shouldBoundWhatTheDiffSinkHoldsWhileRedisHangs() {
        RedisServer hung = RedisServer.startNew();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        RedisDiffSink sink = new RedisDiffSink(hung.uri(), prefix, 1_000, Duration.ofMillis(500), 50, registry);
        RedisClient client = RedisClient.create(hung.uri());
        try {
            RedisCommands<String, String> redis = client.connect().sync();
            eventually("the sink reaches Redis", () -> {
                sink.accept(record());
                return redis.xlen(key("diffs")) > 0;
            });
            hung.pause();
            for (int i = 0; i < 10_000; i++) {
                sink.accept(record());
                assertThat(sink.pending()).isLessThanOrEqualTo(50);
            }
            assertThat(sink.dropped(RedisDiffSink.Drop.IN_FLIGHT_LIMIT)).isGreaterThanOrEqualTo(9_000);
            assertThat(registry.get("turnout.redis.dropped").tag("reason", "in_flight_limit").counter().count())
                    .isEqualTo(sink.dropped(RedisDiffSink.Drop.IN_FLIGHT_LIMIT));
            eventually("the hung commands time out and are counted", () -> sink.dropped(RedisDiffSink.Drop.TIMEOUT) > 0);
            hung.resume();

            long before = redis.xlen(key("diffs"));
            eventually("the sink works again", () -> {
                sink.accept(record());
                return redis.xlen(key("diffs")) > before;
            });
        } finally {
            hung.resume();
            sink.close();
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            hung.close();
        }
    }

    private static DiffRecord record() {
        return new DiffRecord("id", Instant.now(), "bot", "v1", "v2", DiffRecord.CANDIDATE,
                new DiffMetrics(Verdict.SAME, 200, 200, null, null, true, true, 1, 1, 1, true, true, List.of(), null, null,
                        null, 0, null), null, null, null);
    }
}
