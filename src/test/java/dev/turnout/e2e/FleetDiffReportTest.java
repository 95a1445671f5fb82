package dev.turnout.e2e;

import static dev.turnout.testing.Fixtures.await;
import static dev.turnout.testing.Http.json;
import static dev.turnout.testing.Http.post;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.turnout.Gateway;
import dev.turnout.Main;
import dev.turnout.diff.RedisDiffSink;
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
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Two gateways on one redis-server, each shadowing its own share of the traffic: each instance
 * reports its own pairs, {@code scope=fleet} reports them all from the shared stream.
 */
class FleetDiffReportTest {

    private RedisServer redis;
    private Vertx simVertx;
    private RouteTable routes;
    private RedisFleet instances;

    @BeforeEach
    void start() {
        redis = RedisServer.startNew();
        simVertx = Vertx.vertx();
        SimServer v1 = Fixtures.sim(simVertx, SimOptions.defaults("support-v1").withTokens(12));
        SimServer v2 = Fixtures.sim(simVertx, SimOptions.defaults("support-v2").withTokens(12));
        routes = RouteCodec.fromYaml(String.join("\n",
                "versions:",
                "  support-v1: { url: '" + v1.baseUrl() + "' }",
                "  support-v2: { url: '" + v2.baseUrl() + "' }",
                "aliases:",
                "  support-bot: { split: { support-v1: 1 }, shadow: [ { version: support-v2, sample: 1.0 } ] }",
                ""));
        instances = RedisFleet.start(redis, 2, Fixtures.config(false, 1 << 20), routes);
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

    private void shadowed(int instance, int requests) {
        for (int i = 0; i < requests; i++) {
            HttpResponse<String> answer = Http.send(post(instances.data(instance) + "/v1/chat/completions",
                    "{\"model\":\"support-bot\",\"messages\":[{\"role\":\"user\",\"content\":\"question " + instance + "-" + i + "\"}]}"));
            assertThat(answer.statusCode()).isEqualTo(200);
        }
    }

    private static JsonNode awaitReport(String url, Predicate<JsonNode> done) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            JsonNode report = json(Http.get(url));
            if (done.test(report)) return report;
            if (System.nanoTime() > deadline) throw new AssertionError(url + " never reached the expected state: " + report);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }

    private static long pairs(JsonNode report) {
        return report.path("candidates").path(0).path("pairs").asLong();
    }

    private static List<String> fields(JsonNode node) {
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) names.add(it.next());
        return names;
    }

    @Test
    void shouldReportEachInstancesPairsAndTheWholeFleetsFromTheStream() {
        shadowed(0, 30);
        shadowed(1, 50);
        JsonNode a = awaitReport(admin(0) + "/admin/diffs", report -> pairs(report) == 30);
        JsonNode b = awaitReport(admin(1) + "/admin/diffs", report -> pairs(report) == 50);
        assertThat(a.has("fleet")).as("the instance report is unchanged").isFalse();
        // Either instance answers for the fleet, the same.
        JsonNode fleet = awaitReport(admin(0) + "/admin/diffs?scope=fleet", report -> pairs(report) == 80);
        JsonNode fromB = json(Http.get(admin(1) + "/admin/diffs?scope=fleet"));
        assertThat(fromB.get("candidates")).isEqualTo(fleet.get("candidates"));

        assertThat(fleet.get("fleet").toString()).isEqualTo("{\"entries\":80,\"truncated\":false,\"unreadable\":0}");
        List<String> shape = new ArrayList<>(fields(fleet));
        shape.remove("fleet");
        assertThat(shape).isEqualTo(fields(a));
        JsonNode entry = fleet.at("/candidates/0");
        assertThat(fields(entry)).isEqualTo(fields(a.at("/candidates/0")));
        assertThat(fleet.get("candidates")).hasSize(1);
        assertThat(entry.get("alias").asText()).isEqualTo("support-bot");
        assertThat(entry.get("candidate").asText()).isEqualTo("support-v2");
        for (String verdict : List.of("same", "similar", "different", "error", "uncalibrated")) {
            assertThat(entry.at("/verdicts/" + verdict).asLong()).as(verdict)
                    .isEqualTo(a.at("/candidates/0/verdicts/" + verdict).asLong() + b.at("/candidates/0/verdicts/" + verdict).asLong());
        }

        HttpResponse<String> samples = Http.get(admin(1) + "/admin/diffs/samples?scope=fleet&alias=support-bot&limit=100");
        assertThat(samples.statusCode()).isEqualTo(200);
        assertThat(json(samples)).hasSize(80);
        assertThat(json(samples).get(0).get("request").asText()).contains("question");
        assertThat(samples.headers().firstValue("x-turnout-fleet-entries")).contains("80");
        assertThat(samples.headers().firstValue("x-turnout-fleet-truncated")).contains("false");
        assertThat(json(Http.get(admin(1) + "/admin/diffs/samples?limit=100"))).hasSize(50);

        // Anyone with Redis access can append to the stream: what is not a record is skipped and counted.
        RedisClient client = RedisClient.create(redis.uri());
        try {
            var redisCommands = client.connect().sync();
            redisCommands.xadd(RedisDiffSink.key("turnout"), Map.of("record", "{\"garbage\":true"));
            redisCommands.xadd(RedisDiffSink.key("turnout"), Map.of("other", "field", "and", "more"));
            redisCommands.xadd(RedisDiffSink.key("turnout"), Map.of("record", "x".repeat(300_000)));
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
        JsonNode hostile = json(Http.get(admin(0) + "/admin/diffs?scope=fleet"));
        assertThat(hostile.get("fleet").toString()).isEqualTo("{\"entries\":83,\"truncated\":false,\"unreadable\":3}");
        assertThat(hostile.get("candidates")).isEqualTo(fleet.get("candidates"));

        String table = cli("diffs", "--fleet", "--admin", admin(0));
        assertThat(table).containsPattern("support-bot\\s+support-v1\\s+support-v2\\s+80\\s")
                .contains("fleet: 83 stream entries read, 3 unreadable (skipped)");
        assertThat(cli("diffs", "--admin", admin(0))).containsPattern("support-v2\\s+30\\s").doesNotContain("fleet:");
        assertThat(cli("diffs", "samples", "--fleet", "--limit", "100", "--admin", admin(0), "-o", "json"))
                .contains("question 1-49").contains("question 0-29");
        assertThat(cli("diffs", "samples", "--limit", "100", "--admin", admin(0), "-o", "json")).doesNotContain("question 1-");
    }

    @Test
    void shouldRefuseAnUnknownScope() {
        for (String path : List.of("/admin/diffs?scope=everywhere", "/admin/diffs/samples?scope=everywhere")) {
            HttpResponse<String> refused = Http.get(admin(0) + path);
            assertThat(refused.statusCode()).isEqualTo(400);
            assertThat(json(refused).at("/error/message").asText()).isEqualTo("scope must be one of [instance, fleet], not 'everywhere'");
        }
        assertThat(Http.get(admin(0) + "/admin/diffs?scope=instance").statusCode()).isEqualTo(200);
    }

    @Test
    void shouldAnswer503WhileRedisIsGone() {
        redis.stop();
        HttpResponse<String> gone = Http.get(admin(0) + "/admin/diffs?scope=fleet");
        assertThat(gone.statusCode()).isEqualTo(503);
        assertThat(json(gone).at("/error/message").asText()).contains("scope=instance still answers");
        assertThat(Http.get(admin(0) + "/admin/diffs").statusCode()).isEqualTo(200);
    }

    @Test
    void shouldRefuseTheFleetViewWithTheMemoryStore() {
        Vertx vertx = Vertx.vertx();
        Gateway memory = Fixtures.gateway(vertx, Fixtures.config(false, 1 << 20), routes, Map.of());
        try {
            String base = "http://127.0.0.1:" + memory.adminPort();
            for (String path : List.of("/admin/diffs?scope=fleet", "/admin/diffs/samples?scope=fleet")) {
                HttpResponse<String> refused = Http.get(base + path);
                assertThat(refused.statusCode()).isEqualTo(409);
                assertThat(json(refused).at("/error/type").asText()).isEqualTo("fleet_needs_redis");
                assertThat(json(refused).at("/error/message").asText()).contains("store is memory");
            }
            assertThat(cli("diffs", "--fleet", "--admin", base)).contains("409").contains("store is memory");
        } finally {
            await(memory.close());
            await(vertx.close());
        }
    }

    /** The CLI's output and errors, as an operator would read them. */
    private static String cli(String... args) {
        StringWriter out = new StringWriter();
        CommandLine turnout = new CommandLine(new Main());
        turnout.setOut(new PrintWriter(out));
        turnout.setErr(new PrintWriter(out));
        turnout.execute(args);
        return out.toString();
    }
}
