package dev.turnout;

import static dev.turnout.testing.Fixtures.await;
import static dev.turnout.testing.Http.chat;
import static dev.turnout.testing.Http.json;
import static dev.turnout.testing.Http.post;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.turnout.config.GatewayConfig;
import dev.turnout.testing.Http;
import dev.turnout.testing.Traffic;
import io.vertx.core.Vertx;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The README's first command: what `demo` starts answers the way its printed instructions say. */
class DemoTest {

    private final Vertx vertx = Vertx.vertx();
    private Demo.Running demo;

    @AfterEach
    void stop() {
        if (demo != null) await(demo.gateway().close());
        await(vertx.close());
    }

    @Test
    void shouldServeTheSplitThePinTheStreamAndTheShadowReportItPrints() {
        demo = await(Demo.start(vertx, 0, 0, 0, 0, new GatewayConfig.Diffs("", false)));
        String base = "http://127.0.0.1:" + demo.gateway().port();
        String admin = "http://127.0.0.1:" + demo.gateway().adminPort();
        String instructions = Demo.instructions(demo.gateway().port(), demo.gateway().adminPort(), demo.simPorts());
        assertThat(instructions).contains(base + "/v1/chat/completions").contains(admin + "/admin/diffs").contains(admin + "/console/");
        HttpResponse<String> console = Http.get(admin + "/console/");
        assertThat(console.statusCode()).isEqualTo(200);
        assertThat(console.body()).contains("<title>Turnout console</title>");

        HttpResponse<String> split = Http.send(post(base + "/v1/chat/completions", chat("support-bot"), "x-turnout-client", "client-1"));
        assertThat(split.statusCode()).isEqualTo(200);
        assertThat(split.headers().firstValue("x-turnout-version").orElseThrow()).isIn("support-v1", "support-v2");
        HttpResponse<String> pinned = Http.send(post(base + "/v1/chat/completions", chat("support-bot"), "x-turnout-client", "beta-tester-7"));
        assertThat(pinned.headers().firstValue("x-turnout-version")).contains("support-v3");
        HttpResponse<String> stream = Http.send(post(base + "/v1/chat/completions",
                "{\"model\":\"support-bot\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"));
        assertThat(stream.body()).startsWith("data: {").endsWith("data: [DONE]\n\n");

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        JsonNode report;
        do {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            report = json(Http.get(admin + "/admin/diffs")).get("candidates");
        } while (report.size() == 0 && System.nanoTime() < deadline);
        assertThat(report.size()).isGreaterThan(0);
        assertThat(report.get(0).get("candidate").asText()).isEqualTo("support-v3");
    }

    @Test
    void shouldFinishThePrintedRolloutOnItsOwn() {
        demo = await(Demo.start(vertx, 0, 0, 0, 0, new GatewayConfig.Diffs("", false,
                GatewayConfig.Semantic.defaults().withEnabled(false))));
        String base = "http://127.0.0.1:" + demo.gateway().port();
        String admin = "http://127.0.0.1:" + demo.gateway().adminPort();
        assertThat(Demo.instructions(demo.gateway().port(), demo.gateway().adminPort(), demo.simPorts())).contains(Demo.ROLLOUT);

        try (Traffic ignored = Traffic.start(List.of(base), "support-bot", 8, 4000, Duration.ofSeconds(120))) {
            HttpResponse<String> created = Http.send(post(admin + "/admin/rollouts", Demo.ROLLOUT, "x-turnout-author", "you"));
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            String id = json(created).get("id").asText();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(100);
            JsonNode rollout;
            do {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
                rollout = json(Http.get(admin + "/admin/rollouts/" + id));
            } while (!rollout.get("state").asText().equals("promoted") && System.nanoTime() < deadline);
            assertThat(rollout.get("state").asText()).as(rollout.toPrettyString()).isEqualTo("promoted");
            assertThat(rollout.get("servedWeight").asDouble()).isEqualTo(100.0);
        }
    }

    @Test
    void shouldCatchThePrintedDriftWithThePrintedProbe() throws Exception {
        demo = await(Demo.start(vertx, 0, 0, 0, 0, new GatewayConfig.Diffs("", false,
                GatewayConfig.Semantic.defaults().withEnabled(false))));
        String base = "http://127.0.0.1:" + demo.gateway().port();
        String admin = "http://127.0.0.1:" + demo.gateway().adminPort();
        assertThat(Demo.instructions(demo.gateway().port(), demo.gateway().adminPort(), demo.simPorts())).contains(Demo.PROBE)
                .contains("conf/golden/support-golden.jsonl");
        assertThat(Http.send(Http.put(admin + "/admin/golden-sets/support-golden",
                java.nio.file.Files.readString(java.nio.file.Path.of("conf/golden/support-golden.jsonl")),
                "content-type", "application/jsonl")).statusCode()).isEqualTo(200);
        assertThat(Http.send(Http.put(admin + "/admin/probes/support-watch", Demo.PROBE)).statusCode()).isEqualTo(200);
        JsonNode baseline = json(Http.send(post(admin + "/admin/probes/support-watch/run", "")));
        assertThat(baseline.at("/versions/1/passed").asLong()).isPositive();

        List<HttpRequest.Builder> burst = new java.util.ArrayList<>();
        for (int i = 1; i <= 300; i++) {
            burst.add(post(base + "/v1/chat/completions", "{\"model\":\"support-bot\",\"messages\":[{\"role\":\"user\","
                    + "\"content\":\"question " + i + "\"}]}"));
        }
        Http.sendAll(burst, 16);
        JsonNode again = json(Http.send(post(admin + "/admin/probes/support-watch/run", "")));

        assertThat(again.at("/versions/0/version").asText()).isEqualTo("support-v1");
        assertThat(again.at("/versions/0/drift/drifted").asBoolean()).as(again.toString()).isFalse();
        assertThat(again.at("/versions/1/version").asText()).isEqualTo("support-v2");
        assertThat(again.at("/versions/1/drift/drifted").asBoolean()).as(again.toString()).isTrue();
    }
}
