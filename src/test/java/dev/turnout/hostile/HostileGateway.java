package dev.turnout.hostile;

import static dev.turnout.testing.Fixtures.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.turnout.Gateway;
import dev.turnout.config.GatewayConfig;
import dev.turnout.diff.DiffReport;
import dev.turnout.evidence.EvidenceRecorder;
import dev.turnout.metrics.GatewayMetrics;
import dev.turnout.proxy.AccessLog;
import dev.turnout.proxy.BodyBudget;
import dev.turnout.proxy.DataPlane;
import dev.turnout.proxy.FaultInjector;
import dev.turnout.proxy.GatewayVerticle;
import dev.turnout.resilience.Breakers;
import dev.turnout.resilience.RetryPolicy;
import dev.turnout.route.RouteCodec;
import dev.turnout.route.RouteTable;
import dev.turnout.shadow.DiffPipeline;
import dev.turnout.shadow.ShadowLimits;
import dev.turnout.testing.Fixtures;
import dev.turnout.testing.Http;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A gateway in front of a recording upstream that answers every request at once, with the
 * limits a test chooses. Started through {@link Gateway} (its meters read from {@code /metrics}),
 * or, to inject faults, as a bare {@link GatewayVerticle} over a hand-built {@link DataPlane}.
 */
final class HostileGateway implements AutoCloseable {

    static final String CHAT = "{\"model\":\"bot\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    private final Vertx vertx;
    private final HttpServer upstream;
    private final List<String> upstreamUris;
    private final int port;
    private final String metricsUrl;
    private final LongSupplier bufferedBytes;
    private final AutoCloseable stop;

    private HostileGateway(Vertx vertx, HttpServer upstream, List<String> upstreamUris, int port, String metricsUrl,
                           LongSupplier bufferedBytes, AutoCloseable stop) {
        this.vertx = vertx;
        this.upstream = upstream;
        this.upstreamUris = upstreamUris;
        this.port = port;
        this.metricsUrl = metricsUrl;
        this.bufferedBytes = bufferedBytes;
        this.stop = stop;
    }

    /** Loopback, one event loop, the given limits. */
    static GatewayConfig.Server settings(long headerTimeoutMs, long bodyTimeoutMs, long idleTimeoutMs, long maxBodyBytes,
                                         long maxBufferedBytes) {
        return settings(headerTimeoutMs, bodyTimeoutMs, idleTimeoutMs, maxBodyBytes, maxBufferedBytes, 10_000);
    }

    static GatewayConfig.Server settings(long headerTimeoutMs, long bodyTimeoutMs, long idleTimeoutMs, long maxBodyBytes,
                                         long maxBufferedBytes, int maxConnections) {
        return new GatewayConfig.Server("127.0.0.1", 0, maxBodyBytes, false, 1, headerTimeoutMs, bodyTimeoutMs,
                idleTimeoutMs, maxBufferedBytes, maxConnections, List.of("*_API_KEY"));
    }

    static HostileGateway start(GatewayConfig.Server settings) {
        Vertx vertx = Vertx.vertx();
        List<String> uris = new CopyOnWriteArrayList<>();
        HttpServer upstream = startUpstream(vertx, uris);
        Gateway gateway = Fixtures.gateway(vertx, Fixtures.config(false, 0).withServer(settings), routes(upstream), Map.of());
        String metrics = "http://127.0.0.1:" + gateway.adminPort() + "/metrics";
        return new HostileGateway(vertx, upstream, uris, gateway.port(), metrics,
                () -> (long) meter(metrics, "turnout_buffered_request_bytes"), () -> await(gateway.close()));
    }

    /** The data plane alone, calling {@code faults} at every stage of every request. */
    static HostileGateway withFaults(GatewayConfig.Server settings, FaultInjector faults) {
        Vertx vertx = Vertx.vertx();
        List<String> uris = new CopyOnWriteArrayList<>();
        HttpServer upstream = startUpstream(vertx, uris);
        RouteTable table = routes(upstream);
        GatewayMetrics metrics = new GatewayMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), () -> table);
        DiffPipeline diffs = new DiffPipeline(metrics, new DiffReport(), List.of(), false, 1L << 20);
        BodyBudget budget = new BodyBudget(settings.effectiveMaxBufferedBytes());
        DataPlane plane = new DataPlane(Fixtures.config(false, 0).withServer(settings), () -> table, name -> null, metrics,
                Breakers.withDefaults(), RetryPolicy.defaults(), new ShadowLimits(4, 4), diffs, AccessLog.disabled(),
                budget, faults, new EvidenceRecorder(64));
        GatewayVerticle verticle = new GatewayVerticle(plane);
        await(vertx.deployVerticle(verticle, new DeploymentOptions()));
        return new HostileGateway(vertx, upstream, uris, verticle.actualPort(), null, budget::used, diffs::close);
    }

    private static HttpServer startUpstream(Vertx vertx, List<String> uris) {
        return await(vertx.createHttpServer().requestHandler(request -> {
            uris.add(request.uri());
            request.body().onSuccess(body -> request.response().putHeader("content-type", "application/json")
                    .end("{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"choices\":[]}"));
        }).listen(0, "127.0.0.1"));
    }

    private static RouteTable routes(HttpServer upstream) {
        return RouteCodec.fromYaml(String.join("\n",
                "versions:",
                "  v1: { url: 'http://127.0.0.1:" + upstream.actualPort() + "/v1', model: 'upstream-model' }",
                "aliases:",
                "  bot: { split: { v1: 1 } }",
                "  other: { split: { v1: 1 } }",
                "clients:",
                "  pinned: { alias: bot }",
                ""));
    }

    int port() {
        return port;
    }

    /** Request targets the upstream received. */
    List<String> upstreamUris() {
        return upstreamUris;
    }

    long bufferedBytes() {
        return bufferedBytes.getAsLong();
    }

    /** Waits (bounded) until the buffered request bytes are {@code expected}; fails with the last value otherwise. */
    void awaitBufferedBytes(long expected) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        long now = bufferedBytes();
        while (now != expected && System.nanoTime() < deadline) {
            pause();
            now = bufferedBytes();
        }
        assertThat(now).as("buffered request bytes").isEqualTo(expected);
    }

    /** Waits (bounded, 5 s) until the meter reads {@code expected}. */
    void awaitMeter(String name, double expected) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (meter(name) != expected) {
            assertThat(System.nanoTime()).as(name + " reaches " + expected).isLessThan(deadline);
            pause();
        }
    }

    /** Paces a poll; never used to wait for an event. */
    private static void pause() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** A meter of the gateway's {@code /metrics} (started with {@link #start} only). */
    double meter(String name) {
        return meter(metricsUrl, name);
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Asserts OpenAI's error shape with this status and code; returns the error object. */
    static JsonNode assertOpenAiError(RawConnection.Response response, int status, String code) {
        assertThat(response.status()).as("status of " + response).isEqualTo(status);
        assertThat(response.header("content-type")).startsWith("application/json");
        JsonNode error = response.json().path("error");
        assertThat(error.path("message").asText()).as("message").isNotBlank();
        assertThat(error.path("type").isTextual()).as("type").isTrue();
        assertThat(error.has("param")).as("param").isTrue();
        assertThat(error.path("code").asText()).isEqualTo(code);
        return error;
    }

    static double meter(String metricsUrl, String name) {
        String text = Http.get(metricsUrl).body();
        Matcher line = Pattern.compile("(?m)^" + name + " (\\S+)$").matcher(text);
        if (!line.find()) throw new AssertionError(name + " not in /metrics");
        return Double.parseDouble(line.group(1));
    }

    @Override
    public void close() throws Exception {
        stop.close();
        await(upstream.close());
        await(vertx.close());
    }
}
