package dev.turnout.e2e;

import static dev.turnout.testing.Fixtures.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.Gateway;
import dev.turnout.proxy.ClientIdentity;
import dev.turnout.route.RouteCodec;
import dev.turnout.testing.Fixtures;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What crosses the gateway: credentials, headers, bodies and streams, checked against a recording
 * upstream that the test scripts step by step.
 */
@ExtendWith(VertxExtension.class)
class ForwardingTest {

    private static final String CLIENT_KEY = "sk-client-acme";

    private Vertx vertx;
    private HttpServer upstream;
    private final List<HttpServerRequest> seen = new CopyOnWriteArrayList<>();
    private final List<String> seenBodies = new CopyOnWriteArrayList<>();
    private volatile Consumer<HttpServerRequest> behaviour;
    private Gateway gateway;
    private HttpClient client;

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        upstream = await(vertx.createHttpServer().requestHandler(request -> {
            seen.add(request);
            request.body().onSuccess(body -> {
                seenBodies.add(body.toString());
                behaviour.accept(request);
            });
        }).listen(0, "127.0.0.1"));
        behaviour = request -> request.response().putHeader("content-type", "application/json")
                .putHeader("keep-alive", "timeout=5").putHeader("x-upstream", "yes").end("{\"ok\":true}");
        client = vertx.createHttpClient();
    }

    private void startGateway(boolean clientAuth) {
        String url = "http://127.0.0.1:" + upstream.actualPort() + "/base/v1";
        gateway = Fixtures.gateway(vertx, Fixtures.config(clientAuth, 4L << 20), RouteCodec.fromYaml(String.join("\n",
                "versions:",
                "  keyed: { url: '" + url + "', model: 'upstream-model', apiKeyEnv: SUPPORT_API_KEY }",
                "  passing: { url: '" + url + "', passAuth: true }",
                "  candidate: { url: '" + url + "', model: 'candidate-model', apiKeyEnv: CANDIDATE_API_KEY }",
                "aliases:",
                "  keyed-bot: { split: { keyed: 1 } }",
                "  passing-bot: { split: { passing: 1 } }",
                "  shadowed-bot: { split: { keyed: 1 }, shadow: [ { version: candidate, sample: 1.0 } ] }",
                "clients:",
                "  acme: { alias: keyed-bot, keySha256: '" + ClientIdentity.sha256Hex(CLIENT_KEY) + "' }",
                "")), Map.of("SUPPORT_API_KEY", "sk-upstream-secret", "CANDIDATE_API_KEY", "sk-candidate-secret"));
    }

    @AfterEach
    void stop() {
        if (gateway != null) await(gateway.close());
        await(vertx.close());
    }

    /** A response with its body, read as it arrives (a client response's body is gone if not read at once). */
    private record Answer(HttpClientResponse response, String body) {
        int statusCode() { return response.statusCode(); }
        String getHeader(String name) { return response.getHeader(name); }
    }

    private Future<HttpClientResponse> stream(String path, String body, MultiMap headers) {
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1")
                .setPort(gateway.port()).setURI(path).setHeaders(headers);
        return client.request(options).compose(request -> request.send(Buffer.buffer(body)));
    }

    private Future<Answer> call(String path, String body, MultiMap headers) {
        return stream(path, body, headers).compose(response -> response.body().map(b -> new Answer(response, b.toString())));
    }

    private static MultiMap headers(String... pairs) {
        MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("content-type", "application/json");
        for (int i = 0; i < pairs.length; i += 2) headers.add(pairs[i], pairs[i + 1]);
        return headers;
    }

    @Test
    void shouldForwardWithTheVersionsOwnKeyAndPathAndModel() {
        startGateway(false);
        Answer response = await(call("/v1/chat/completions?api-version=2", "{\"model\":\"keyed-bot\",\"n\":1}",
                headers("authorization", "Bearer " + CLIENT_KEY, "traceparent",
                        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "x-custom", "kept")));
        assertThat(response.statusCode()).isEqualTo(200);
        HttpServerRequest forwarded = seen.get(0);
        assertThat(forwarded.uri()).isEqualTo("/base/v1/chat/completions?api-version=2");
        assertThat(forwarded.getHeader("authorization")).isEqualTo("Bearer sk-upstream-secret");
        assertThat(forwarded.getHeader("traceparent")).isEqualTo("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
        assertThat(forwarded.getHeader("x-custom")).isEqualTo("kept");
        assertThat(new JsonObject(seenBodies.get(0))).isEqualTo(new JsonObject("{\"model\":\"upstream-model\",\"n\":1}"));
    }

    @Test
    void shouldMarkShadowRequestsAndSendThemWithTheCandidatesOwnModelAndKey() {
        startGateway(false);
        Answer answer = await(call("/v1/chat/completions", "{\"model\":\"shadowed-bot\",\"messages\":[]}",
                headers("authorization", "Bearer sk-app-key", "traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")));
        assertThat(answer.statusCode()).isEqualTo(200);
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (seen.size() < 2 && System.nanoTime() < deadline) java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        assertThat(seen).hasSize(2);
        HttpServerRequest shadow = seen.stream().filter(r -> r.getHeader("x-turnout-shadow") != null).findFirst().orElseThrow();
        HttpServerRequest primary = seen.stream().filter(r -> r.getHeader("x-turnout-shadow") == null).findFirst().orElseThrow();
        assertThat(shadow.getHeader("x-turnout-shadow")).isEqualTo("1");
        assertThat(shadow.getHeader("authorization")).isEqualTo("Bearer sk-candidate-secret");
        assertThat(shadow.getHeader("traceparent")).isEqualTo("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
        assertThat(primary.getHeader("authorization")).isEqualTo("Bearer sk-upstream-secret");
        assertThat(seen).noneSatisfy(request -> assertThat(request.getHeader("authorization")).contains("sk-app-key"));
        assertThat(seenBodies).anySatisfy(body -> assertThat(new JsonObject(body).getString("model")).isEqualTo("candidate-model"))
                .anySatisfy(body -> assertThat(new JsonObject(body).getString("model")).isEqualTo("upstream-model"));
    }

    @Test
    void shouldPassTheClientsKeyOnlyWhenTheVersionSaysSo() {
        startGateway(false);
        await(call("/v1/chat/completions", "{\"model\":\"passing-bot\"}", headers("authorization", "Bearer sk-own")));
        assertThat(seen.get(0).getHeader("authorization")).isEqualTo("Bearer sk-own");
    }

    @Test
    void shouldDropHopByHopHeadersBothWays() {
        startGateway(false);
        Answer response = await(call("/v1/chat/completions", "{\"model\":\"keyed-bot\"}",
                headers("connection", "keep-alive, x-hop", "x-hop", "1", "keep-alive", "timeout=5", "te", "trailers",
                        "proxy-authorization", "Basic abc", "upgrade", "h2c")));
        MultiMap forwarded = seen.get(0).headers();
        for (String name : List.of("x-hop", "keep-alive", "te", "proxy-authorization", "upgrade")) {
            assertThat(forwarded.contains(name)).as(name).isFalse();
        }
        assertThat(response.getHeader("keep-alive")).isNull();
        assertThat(response.getHeader("x-upstream")).isEqualTo("yes");
        assertThat(response.body()).isEqualTo("{\"ok\":true}");
    }

    @Test
    void shouldRelayAStreamChunkByChunkBeforeItEnds() {
        startGateway(false);
        // Lockstep: the upstream sends event n+1 only after the client has received event n through
        // the gateway. A gateway that buffered the stream would never deliver event 1: the test would hang.
        List<Promise<Void>> received = new ArrayList<>();
        for (int i = 0; i < 5; i++) received.add(Promise.promise());
        behaviour = request -> {
            var response = request.response().setChunked(true).putHeader("content-type", "text/event-stream");
            sendEvent(response, received, 0);
        };
        List<String> chunks = new CopyOnWriteArrayList<>();
        Promise<Void> ended = Promise.promise();
        stream("/v1/chat/completions", "{\"model\":\"keyed-bot\",\"stream\":true}", headers()).onSuccess(response -> {
            response.handler(chunk -> {
                chunks.add(chunk.toString());
                received.get(chunks.size() - 1).tryComplete();
            });
            response.endHandler(v -> ended.complete());
        });
        await(ended.future());
        assertThat(chunks).containsExactly("data: 0\n\n", "data: 1\n\n", "data: 2\n\n", "data: 3\n\n", "data: 4\n\n");
    }

    private static void sendEvent(io.vertx.core.http.HttpServerResponse response, List<Promise<Void>> received, int n) {
        if (n == received.size()) {
            response.end();
            return;
        }
        response.write("data: " + n + "\n\n");
        received.get(n).future().onSuccess(v -> sendEvent(response, received, n + 1));
    }

    @Test
    void shouldEndAnInterruptedStreamWithAnErrorEvent() {
        startGateway(false);
        behaviour = request -> {
            var response = request.response().setChunked(true).putHeader("content-type", "text/event-stream");
            response.write("data: {\"choices\":[]}\n\n").onSuccess(v -> request.connection().close());
        };
        Answer response = await(call("/v1/chat/completions", "{\"model\":\"keyed-bot\",\"stream\":true}", headers()));
        String body = response.body();
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(body).startsWith("data: {\"choices\":[]}\n\n");
        assertThat(body).contains("\"code\":\"upstream_stream_interrupted\"").endsWith("\n\n");
    }

    @Test
    void shouldRequireAKnownClientKeyWhenClientAuthIsOn() {
        startGateway(true);
        Answer refused = await(call("/v1/chat/completions", "{\"model\":\"keyed-bot\"}",
                headers("x-turnout-client", "acme")));
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(new JsonObject(refused.body()).getJsonObject("error").getString("code")).isEqualTo("invalid_api_key");
        assertThat(seen).isEmpty();
        // The key identifies acme, whose pinned alias wins over whatever model the body names.
        Answer accepted = await(call("/v1/chat/completions", "{\"model\":\"passing-bot\"}",
                headers("authorization", "Bearer " + CLIENT_KEY)));
        assertThat(accepted.statusCode()).isEqualTo(200);
        assertThat(accepted.getHeader("x-turnout-alias")).isEqualTo("keyed-bot");
        assertThat(seen.get(0).getHeader("authorization")).isEqualTo("Bearer sk-upstream-secret");
    }
}
