package dev.turnout.e2e;

import static dev.turnout.testing.Fixtures.await;
import static dev.turnout.testing.Http.chat;
import static dev.turnout.testing.Http.post;
import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.Gateway;
import dev.turnout.route.RouteCodec;
import dev.turnout.sim.SimServer;
import dev.turnout.store.RedisStoreOptions;
import dev.turnout.store.RouteStore;
import dev.turnout.testing.Fixtures;
import dev.turnout.testing.Http;
import dev.turnout.testing.RedisServer;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Three gateway instances, each with its own event loops, sharing one real redis-server. */
class MultiInstanceTest {

    private static final int INSTANCES = 3;

    private RedisServer redis;
    private Vertx simVertx;
    private final List<Vertx> vertxes = new ArrayList<>();
    private final List<Gateway> gateways = new ArrayList<>();

    @BeforeEach
    void start() {
        redis = RedisServer.startNew();
        simVertx = Vertx.vertx();
        SimServer v1 = Fixtures.sim(simVertx, "support-v1");
        SimServer v2 = Fixtures.sim(simVertx, "support-v2");
        String routes = String.join("\n",
                "versions:",
                "  support-v1: { url: '" + v1.baseUrl() + "' }",
                "  support-v2: { url: '" + v2.baseUrl() + "' }",
                "aliases:",
                "  support-bot: { split: { support-v1: 100, support-v2: 0 } }",
                "");
        for (int i = 0; i < INSTANCES; i++) {
            Vertx vertx = Vertx.vertx();
            vertxes.add(vertx);
            RouteStore store = RouteStore.redis(vertx, RedisStoreOptions.of(redis.uri(), "turnout", "instance-" + i, 100)
                    .withIntervals(Duration.ofMillis(200), Duration.ofMillis(200), Duration.ofSeconds(5)));
            gateways.add(await(Gateway.start(vertx, Fixtures.config(false, 1 << 20), store, RouteCodec.fromYaml(routes),
                    Map.<String, String>of()::get)));
        }
    }

    @AfterEach
    void stop() {
        gateways.forEach(gateway -> await(gateway.close().otherwiseEmpty()));
        vertxes.forEach(vertx -> await(vertx.close()));
        await(simVertx.close());
        redis.close();
    }

    private String admin(int instance) {
        return "http://127.0.0.1:" + gateways.get(instance).adminPort();
    }

    private String data(int instance) {
        return "http://127.0.0.1:" + gateways.get(instance).port();
    }

    private static HttpResponse<String> call(String method, String url, String body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("content-type", "application/json"); // the admin API takes writes only as JSON or YAML
        for (int i = 0; i < headers.length; i += 2) request.header(headers[i], headers[i + 1]);
        return Http.send(request);
    }

    /** A request through an instance once its store serves {@code revision}: the data plane reads that table. */
    private HttpResponse<String> awaitRevision(int instance, long revision, String client) {
        await(gateways.get(instance).store().whenApplied(revision));
        HttpResponse<String> answer = Http.send(post(data(instance) + "/v1/chat/completions", chat("support-bot"),
                "x-turnout-client", client));
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.headers().firstValue("x-turnout-revision").map(Long::parseLong).orElse(0L)).isGreaterThanOrEqualTo(revision);
        return answer;
    }

    @Test
    void shouldApplyAWeightChangeAndARollbackOnEveryInstance() {
        HttpResponse<String> patched = call("PATCH", admin(0) + "/admin/aliases/support-bot",
                "{\"split\":{\"support-v1\":0,\"support-v2\":100}}", "if-match", "\"1\"", "x-turnout-author", "alice",
                "x-turnout-reason", "all in on v2");
        assertThat(patched.statusCode()).as(patched.body()).isEqualTo(200);
        for (int instance = 0; instance < INSTANCES; instance++) {
            for (int client = 0; client < 20; client++) {
                HttpResponse<String> answer = awaitRevision(instance, 2, "client-" + client);
                assertThat(answer.headers().firstValue("x-turnout-version")).contains("support-v2");
                assertThat(answer.headers().firstValue("x-sim-name")).contains("support-v2");
            }
        }
        HttpResponse<String> rolledBack = call("POST", admin(1) + "/admin/rollback", "{\"reason\":\"v2 misbehaves\"}",
                "x-turnout-author", "bob");
        assertThat(rolledBack.statusCode()).as(rolledBack.body()).isEqualTo(200);
        for (int instance = 0; instance < INSTANCES; instance++) {
            for (int client = 0; client < 20; client++) {
                HttpResponse<String> answer = awaitRevision(instance, 3, "client-" + client);
                assertThat(answer.headers().firstValue("x-turnout-version")).contains("support-v1");
            }
        }
        String history = call("GET", admin(2) + "/admin/history", null).body();
        assertThat(history).contains("\"author\" : \"bob\"").contains("\"reason\" : \"v2 misbehaves\"")
                .contains("\"action\" : \"rollback to 1\"").contains("\"author\" : \"alice\"");
        String status = call("GET", admin(2) + "/admin/status", null).body();
        assertThat(status).contains("instance-0").contains("instance-1").contains("instance-2");
    }

    @Test
    void shouldLetExactlyOneOfConcurrentAdminWritesWin() {
        List<CompletableFuture<Integer>> writes = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            int instance = i % INSTANCES;
            int weight = 10 + i;
            writes.add(CompletableFuture.supplyAsync(() -> call("PATCH", admin(instance) + "/admin/aliases/support-bot",
                    "{\"split\":{\"support-v2\":" + weight + "}}", "if-match", "\"1\"").statusCode()));
        }
        List<Integer> statuses = writes.stream().map(CompletableFuture::join).toList();
        assertThat(statuses).filteredOn(status -> status == 200).hasSize(1);
        assertThat(statuses).filteredOn(status -> status == 409).hasSize(8);
    }

    @Test
    void shouldLandEveryConcurrentUnconditionalWrite() {
        List<HttpRequest.Builder> writes = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            writes.add(HttpRequest.newBuilder(URI.create(admin(i % INSTANCES) + "/admin/aliases/extra-" + i))
                    .timeout(Duration.ofSeconds(10)).header("content-type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofString("{\"split\":{\"support-v1\":1}}")));
        }
        List<HttpResponse<String>> answers = Http.sendAll(writes, 20);
        assertThat(answers).allSatisfy(answer -> assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200));
        assertThat(answers.stream().map(answer -> answer.headers().firstValue("etag").orElseThrow()).distinct()).hasSize(20);
        for (Gateway gateway : gateways) {
            assertThat(await(gateway.store().whenApplied(21)).aliases()).hasSize(21);
        }
    }

    @Test
    void shouldServeEveryRequestWhileRedisIsDownAndConvergeAfter() throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger served = new AtomicInteger();
        List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        CompletableFuture<Void> traffic = CompletableFuture.runAsync(() -> {
            for (int i = 0; running.get() && i < 100_000; i++) {
                HttpResponse<String> answer = Http.send(post(data(i % INSTANCES) + "/v1/chat/completions", chat("support-bot")));
                if (answer.statusCode() == 200) served.incrementAndGet();
                else failures.add(answer.statusCode() + " " + answer.body());
            }
        });
        awaitServed(served, 50);
        redis.stop();
        HttpResponse<String> refused = call("PATCH", admin(0) + "/admin/aliases/support-bot", "{\"split\":{\"support-v2\":100}}");
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.body()).contains("keeps serving its last applied table");
        int beforeRestart = served.get();
        awaitServed(served, beforeRestart + 50);
        redis.start();
        // Writes work again once the instances have reconnected; every instance converges.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        HttpResponse<String> accepted;
        do {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            accepted = call("PATCH", admin(0) + "/admin/aliases/support-bot", "{\"split\":{\"support-v1\":0,\"support-v2\":100}}");
        } while (accepted.statusCode() != 200 && System.nanoTime() < deadline);
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(200);
        long revision = Long.parseLong(accepted.headers().firstValue("etag").orElseThrow().replace("\"", ""));
        for (int instance = 0; instance < INSTANCES; instance++) {
            assertThat(awaitRevision(instance, revision, "after").headers().firstValue("x-turnout-version")).contains("support-v2");
        }
        running.set(false);
        traffic.get(30, TimeUnit.SECONDS);
        assertThat(failures).isEmpty();
        assertThat(served.get()).isGreaterThan(beforeRestart + 50);
    }

    private static void awaitServed(AtomicInteger served, int atLeast) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (served.get() < atLeast) {
            if (System.nanoTime() > deadline) throw new AssertionError("traffic stalled at " + served.get());
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }
}
