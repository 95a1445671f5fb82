package dev.turnout.hostile;

import static dev.turnout.testing.Fixtures.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.Gateway;
import dev.turnout.metrics.VertxMeters;
import dev.turnout.proxy.AccessLog;
import dev.turnout.resilience.Breakers;
import dev.turnout.route.RouteCodec;
import dev.turnout.sim.SimServer;
import dev.turnout.store.RouteStore;
import dev.turnout.testing.Fixtures;
import dev.turnout.testing.Http;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Clients choose methods, paths, models and headers; none of it may become a label. Before the
 * fix each made-up method added ~11 series to {@code /metrics} (Vert.x's server meters labelled by
 * method), so a client could grow the scrape and the heap until OutOfMemoryError. Requests go over
 * raw sockets, so nothing in between normalises what the gateway receives. Vert.x is built exactly
 * as {@code serve} builds it, with its own meters in the registry {@code /metrics} shows.
 */
class MetricCardinalityTest {

    private static final int REQUESTS = 500;

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Random random = new Random(7);
    private final List<String> chosen = new ArrayList<>();
    private Vertx vertx;
    private Gateway gateway;

    @BeforeEach
    void start() {
        vertx = VertxMeters.vertx(2, registry, true);
        SimServer primary = Fixtures.sim(vertx, "support-v1");
        SimServer candidate = Fixtures.sim(vertx, "support-v2");
        gateway = await(Gateway.start(vertx, Fixtures.config(false, 1 << 20), RouteStore.memory(10), RouteCodec.fromYaml(String.join("\n",
                "versions:",
                "  support-v1: { url: '" + primary.baseUrl() + "' }",
                "  support-v2: { url: '" + candidate.baseUrl() + "' }",
                "aliases:",
                "  support-bot: { split: { support-v1: 1 }, shadow: [ { version: support-v2, sample: 1.0 } ] }",
                "")), Map.<String, String>of()::get, Breakers.withDefaults(), AccessLog.disabled(), registry));
    }

    @AfterEach
    void stop() {
        if (gateway != null) await(gateway.close());
        await(vertx.close());
    }

    @Test
    void clientChosenMethodsPathsModelsAndHeadersNeverBecomeSeries() throws IOException {
        for (int i = 0; i < 100; i++) send(i);
        int early = lines(metrics());
        for (int i = 100; i < REQUESTS; i++) send(i);
        String metrics = metrics();

        // 400 more hostile requests add at most a handful of series (a GC cause, a thread state), never one per request.
        assertThat(lines(metrics) - early).isLessThan(40);
        // Before the fix, the random methods alone made 11 series each: over 5 000 lines.
        assertThat(lines(metrics)).isLessThan(2_500);
        String lower = metrics.toLowerCase();
        for (String value : chosen) assertThat(lower).doesNotContain(value.toLowerCase());
        assertThat(metrics).contains("turnout_requests_total{alias=\"support-bot\"").contains("alias=\"none\"");
    }

    /** One of five hostile shapes, each carrying fresh random strings that must never reach /metrics. */
    private void send(int i) throws IOException {
        String marker = marker();
        String body = "{\"model\":\"support-bot\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        switch (i % 5) {
            case 0 -> exchange(marker.toUpperCase(), "/v1/chat/completions", body, "x-" + marker(), marker());
            case 1 -> exchange("POST", "/v1/" + marker + "?q=" + marker(), body, "x-turnout-client", marker());
            case 2 -> exchange("POST", "/v1/chat/completions", body.replace("support-bot", marker), "x-request-id", marker());
            case 3 -> exchange("GET", "/" + marker, "", "user-agent", marker());
            default -> exchange("POST", "/v1/chat/completions", body, "x-turnout-client", marker, "x-" + marker(), marker());
        }
    }

    private String marker() {
        StringBuilder value = new StringBuilder("zq");
        for (int i = 0; i < 12; i++) value.append((char) ('a' + random.nextInt(26)));
        chosen.add(value.toString());
        return value.toString();
    }

    /** One request on its own connection, read to the end: the gateway has finished with it. */
    private void exchange(String method, String path, String body, String... headers) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        StringBuilder request = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\n")
                .append("host: 127.0.0.1\r\nconnection: close\r\ncontent-type: application/json\r\n")
                .append("content-length: ").append(bytes.length).append("\r\n");
        for (int h = 0; h < headers.length; h += 2) request.append(headers[h]).append(": ").append(headers[h + 1]).append("\r\n");
        try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] answer = in.readAllBytes();
            assertThat(new String(answer, StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 ");
        }
    }

    private String metrics() {
        return Http.get("http://127.0.0.1:" + gateway.adminPort() + "/metrics").body();
    }

    private static int lines(String text) {
        return (int) text.lines().count();
    }
}
