package dev.turnout.e2e;

import static dev.turnout.testing.Fixtures.await;
import static dev.turnout.testing.Http.chat;
import static dev.turnout.testing.Http.json;
import static dev.turnout.testing.Http.post;
import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.Gateway;
import dev.turnout.proxy.AccessLog;
import dev.turnout.resilience.Breakers;
import dev.turnout.route.RouteCodec;
import dev.turnout.sim.SimServer;
import dev.turnout.store.RouteStore;
import dev.turnout.testing.Fixtures;
import dev.turnout.testing.Http;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Breakers, retries, failover and metrics against an upstream whose behaviour the test switches. */
class ResilienceTest {

    /** A clock the test moves by hand: breakers wait on it, the test never sleeps. */
    static final class ManualClock extends Clock {
        private volatile Instant now = Instant.parse("2026-01-01T00:00:00Z");

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    private Vertx vertx;
    private HttpServer flaky;
    private final AtomicReference<String> mode = new AtomicReference<>("ok");
    private final AtomicInteger flakyCalls = new AtomicInteger();
    private final ManualClock clock = new ManualClock();
    private final ByteArrayOutputStream accessLines = new ByteArrayOutputStream();
    private SimServer stable;
    private Gateway gateway;
    private String base;
    private String admin;

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        stable = Fixtures.sim(vertx, "stable");
        flaky = await(vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
            flakyCalls.incrementAndGet();
            switch (mode.get()) {
                case "fail500":
                    request.response().setStatusCode(500).putHeader("content-type", "application/json")
                            .end("{\"error\":{\"message\":\"model crashed\",\"type\":\"server_error\",\"param\":null,\"code\":null}}");
                    break;
                case "drip":
                    // A stream that never ends: a chunk every 20 ms, so the idle timeout never fires.
                    var dripping = request.response().setChunked(true).putHeader("content-type", "text/event-stream");
                    long timer = vertx.setPeriodic(20, id -> dripping.write("data: {\"choices\":[]}\n\n"));
                    dripping.closeHandler(closed -> vertx.cancelTimer(timer));
                    break;
                case "die-mid-stream":
                    request.response().setChunked(true).putHeader("content-type", "text/event-stream")
                            .write("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"}}]}\n\n")
                            .onSuccess(v -> request.connection().close());
                    break;
                default:
                    request.response().putHeader("content-type", "application/json").putHeader("x-sim-name", "flaky")
                            .end("{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"fine\"},\"finish_reason\":\"stop\"}]}");
            }
        })).listen(0, "127.0.0.1"));
        String routes = String.join("\n",
                "versions:",
                "  flaky: { url: 'http://127.0.0.1:" + flaky.actualPort() + "/v1', breaker: { window: 4, minimumCalls: 4, openMs: 30000 } }",
                "  stable: { url: '" + stable.baseUrl() + "' }",
                "  refusing: { url: 'http://127.0.0.1:1/v1' }",
                // The total limit runs from the request's arrival, so it must outlast the connect and the
                // first chunk even on a loaded machine, or the cut happens before the stream it tests.
                "  endless: { url: 'http://127.0.0.1:" + flaky.actualPort() + "/v1', totalTimeoutMs: 1000 }",
                "aliases:",
                "  bot: { split: { flaky: 1 }, fallback: stable, shadow: [ { version: stable, sample: 1.0 } ] }",
                "  lonely: { split: { flaky: 1 } }",
                "  refused: { split: { refusing: 1 }, fallback: stable }",
                "  endless-bot: { split: { endless: 1 } }",
                "");
        Breakers breakers = new Breakers(clock);
        gateway = await(Gateway.start(vertx, Fixtures.config(false, 1 << 20), RouteStore.memory(10), RouteCodec.fromYaml(routes),
                Map.<String, String>of()::get, breakers, AccessLog.to(new PrintStream(accessLines, true, StandardCharsets.UTF_8))));
        base = "http://127.0.0.1:" + gateway.port();
        admin = "http://127.0.0.1:" + gateway.adminPort();
    }

    @AfterEach
    void stop() {
        await(gateway.close());
        await(vertx.close());
    }

    private HttpResponse<String> ask(String alias) {
        return Http.send(post(base + "/v1/chat/completions", chat(alias)));
    }

    private String metrics() {
        return Http.get(admin + "/metrics").body();
    }

    @Test
    void shouldOpenTheBreakerServeTheFallbackAndCloseAfterRecovery() {
        mode.set("fail500");
        for (int i = 0; i < 4; i++) {
            HttpResponse<String> failed = ask("bot");
            // Before the breaker opens, the upstream's own 500 reaches the client as it was sent.
            assertThat(failed.statusCode()).isEqualTo(500);
            assertThat(json(failed).at("/error/message").asText()).isEqualTo("model crashed");
        }
        int callsWhenOpened = flakyCalls.get();
        assertThat(metrics()).contains("turnout_breaker_state{version=\"flaky\"} 1.0");
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> served = ask("bot");
            assertThat(served.statusCode()).isEqualTo(200);
            assertThat(served.headers().firstValue("x-turnout-decision")).contains("fallback");
            assertThat(served.headers().firstValue("x-turnout-version")).contains("stable");
        }
        assertThat(flakyCalls.get()).isEqualTo(callsWhenOpened);
        assertThat(metrics()).contains("turnout_requests_total{alias=\"bot\",decision=\"fallback\",outcome=\"ok\",role=\"primary\",version=\"stable\"} 5.0");
        HttpResponse<String> noFallback = ask("lonely");
        assertThat(noFallback.statusCode()).isEqualTo(503);
        assertThat(noFallback.headers().firstValue("retry-after")).contains("30");
        assertThat(json(noFallback).at("/error/code").asText()).isEqualTo("version_unavailable");
        // Counted under the alias its client asked for, so that alias's error share shows the refusal.
        assertThat(metrics()).containsPattern("turnout_requests_total\\{alias=\"lonely\",decision=\"n/a\",outcome=\"rejected_503\","
                + "role=\"primary\",version=\"flaky\"} 1.0");

        mode.set("ok");
        clock.advance(Duration.ofSeconds(31));
        for (int i = 0; i < 3; i++) {
            assertThat(ask("bot").headers().firstValue("x-turnout-version")).contains("flaky");
        }
        assertThat(metrics()).contains("turnout_breaker_state{version=\"flaky\"} 0.0");
        HttpResponse<String> back = ask("bot");
        assertThat(back.headers().firstValue("x-turnout-decision")).contains("split");
    }

    @Test
    void shouldRetryARefusedConnectionThenFailOver() {
        HttpResponse<String> served = ask("refused");
        assertThat(served.statusCode()).isEqualTo(200);
        assertThat(served.headers().firstValue("x-turnout-version")).contains("stable");
        assertThat(served.headers().firstValue("x-turnout-decision")).contains("fallback");
        String line = awaitAccessLine("\"alias\":\"refused\"");
        assertThat(line).contains("\"attempts\":4").contains("\"outcome\":\"ok\"").contains("\"version\":\"stable\"");
        assertThat(line).doesNotContain("Where is my order");
    }

    @Test
    void shouldNotRetryAStreamThatFailedAfterItsFirstByte() {
        mode.set("die-mid-stream");
        HttpResponse<String> answer = Http.send(post(base + "/v1/chat/completions",
                "{\"model\":\"lonely\",\"stream\":true,\"messages\":[]}"));
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body()).startsWith("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"}}]}\n\n")
                .contains("\"code\":\"upstream_stream_interrupted\"");
        assertThat(flakyCalls.get()).isEqualTo(1);
        assertThat(awaitAccessLine("\"alias\":\"lonely\"")).contains("\"outcome\":\"interrupted\"").contains("\"attempts\":1");
    }

    @Test
    void shouldCutAStreamThatExceedsTheTotalTimeout() {
        mode.set("drip");
        HttpResponse<String> answer = Http.send(post(base + "/v1/chat/completions", "{\"model\":\"endless-bot\",\"stream\":true}"));
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body()).startsWith("data: {\"choices\":[]}\n\n")
                .contains("\"code\":\"upstream_timeout\"").contains("total limit of 1000 ms");
        assertThat(awaitAccessLine("\"alias\":\"endless-bot\"")).contains("\"outcome\":\"timeout\"");
    }

    @Test
    void shouldExportEveryNamedMeterWithItsLabels() {
        for (int i = 0; i < 3; i++) assertThat(ask("bot").statusCode()).isEqualTo(200);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!metrics().contains("turnout_diffs_total") && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        String metrics = metrics();
        assertThat(metrics)
                .contains("turnout_requests_total{alias=\"bot\",decision=\"split\",outcome=\"ok\",role=\"primary\",version=\"flaky\"} 3.0")
                .contains("turnout_requests_total{alias=\"bot\",decision=\"n/a\",outcome=\"completed\",role=\"shadow\",version=\"stable\"}")
                .contains("turnout_request_duration_seconds_bucket{alias=\"bot\",role=\"primary\",version=\"flaky\"")
                .contains("turnout_ttft_seconds_count{alias=\"bot\",role=\"primary\",version=\"flaky\"} 3")
                .contains("turnout_diffs_total{alias=\"bot\",candidate=\"stable\",verdict=")
                .contains("turnout_route_revision 1.0")
                .contains("turnout_breaker_state{version=\"flaky\"} 0.0");
        assertThat(metrics).doesNotContain("client=").doesNotContain("user=");
    }

    private String awaitAccessLine(String containing) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            for (String line : accessLines.toString(StandardCharsets.UTF_8).split("\n")) {
                if (line.contains(containing)) return line;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        throw new AssertionError("no access log line with " + containing + " in " + accessLines);
    }
}
