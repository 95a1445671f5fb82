package dev.turnout.proxy;

import dev.turnout.config.GatewayConfig;
import dev.turnout.route.ModelVersion;
import dev.turnout.route.RouteTable;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import java.net.ConnectException;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The data plane for one event loop. Per request:
 * <pre>
 *   identity -> body (capped) -> inspect (one streaming pass) -> plan (alias, version)
 *     -> splice the upstream model name into the body -> forward with the version's credentials
 *     -> stream the answer back as it arrives (backpressure both ways, nothing buffered whole)
 * </pre>
 * One {@link RouteTable} snapshot is read at the start and used for the whole request.
 */
final class ProxyHandler implements Handler<HttpServerRequest> {

    // Set by the proxy itself, or never forwarded: the caller's identity is the gateway's business.
    private static final Set<String> REQUEST_HEADERS_SET_HERE = Set.of("host", "content-length", "authorization",
            "x-turnout-client");
    private static final Set<String> RESPONSE_HEADERS_SET_HERE = Set.of("x-turnout-alias", "x-turnout-version",
            "x-turnout-revision", "x-turnout-decision", "server-timing");

    private final Supplier<RouteTable> routes;
    private final RoutePlanner planner;
    private final GatewayConfig.Server config;
    private final Upstreams upstreams;
    private final Function<String, String> environment;

    ProxyHandler(Supplier<RouteTable> routes, RoutePlanner planner, GatewayConfig.Server config, Upstreams upstreams,
                 Function<String, String> environment) {
        this.routes = routes;
        this.planner = planner;
        this.config = config;
        this.upstreams = upstreams;
        this.environment = environment;
    }

    @Override
    public void handle(HttpServerRequest request) {
        long startNanos = System.nanoTime();
        RouteTable table = routes.get();
        HttpServerResponse response = request.response();
        String path = request.path();
        if (!path.startsWith("/v1/")) {
            fail(request, new OpenAiError(404, "invalid_request_error", "unknown_url", null,
                    "Unknown request URL: " + request.method() + " " + path + ". Turnout serves the OpenAI API under /v1/."));
            return;
        }
        ClientIdentity identity = ClientIdentity.resolve(table, request.getHeader("authorization"),
                request.getHeader("x-turnout-client"), config.clientAuth());
        if (identity == null) {
            fail(request, OpenAiError.unauthorized("Incorrect or missing API key. Send the key this gateway issued "
                    + "to your client as 'Authorization: Bearer <key>'."));
            return;
        }
        if (request.method() == HttpMethod.GET && (path.equals("/v1/models") || path.startsWith("/v1/models/"))) {
            ModelsEndpoint.respond(table, path, response);
            return;
        }
        if (request.method() != HttpMethod.POST) {
            response.putHeader("allow", "POST");
            fail(request, new OpenAiError(405, "invalid_request_error", "method_not_allowed", null,
                    "Method " + request.method() + " is not allowed on " + path + "; model requests use POST."));
            return;
        }
        BodyReader.read(request, config.maxBodyBytes()).onComplete(read -> {
            if (read.failed()) {
                fail(request, BodyReader.errorFor(read.cause(), config.maxBodyBytes()));
                return;
            }
            BodyReader.Body body = read.result();
            try {
                InspectedRequest inspected = RequestInspector.inspect(body.bytes(), body.length());
                RouteDecision decision = planner.plan(table, identity, inspected, request::getHeader);
                forward(request, table, decision, spliceModel(body, inspected, decision.version()), startNanos);
            } catch (RequestInspector.InvalidBodyException e) {
                fail(request, OpenAiError.badRequest(null, e.param(), e.getMessage()));
            } catch (RoutePlanner.PlanException e) {
                fail(request, e.error());
            }
        });
    }

    private static Buffer spliceModel(BodyReader.Body body, InspectedRequest inspected, ModelVersion version) {
        byte[] model = RequestInspector.jsonString(version.model());
        Buffer out = Buffer.buffer(body.length() - (inspected.modelEnd() - inspected.modelStart()) + model.length);
        out.appendBytes(body.bytes(), 0, inspected.modelStart());
        out.appendBytes(model);
        out.appendBytes(body.bytes(), inspected.modelEnd(), body.length() - inspected.modelEnd());
        return out;
    }

    private void forward(HttpServerRequest request, RouteTable table, RouteDecision decision, Buffer upstreamBody,
                         long startNanos) {
        ModelVersion version = decision.version();
        String authorization = upstreamAuthorization(request, version);
        String uri = version.basePath() + request.uri().substring("/v1".length());
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setHost(version.url().getHost())
                .setPort(version.port())
                .setSsl(version.tls())
                .setURI(uri)
                // Idle timeout: the upstream may not stay silent longer than this, before the
                // first byte or between chunks; a stuck model is cut off instead of hanging the client.
                .setIdleTimeout(version.timeoutMs());
        upstreams.clientFor(table, version).request(options).onComplete(created -> {
            if (created.failed()) {
                upstreamFailedBeforeResponse(request, version, created.cause());
                return;
            }
            HttpClientRequest upstream = created.result();
            MultiMap headers = upstream.headers();
            HopByHop.copy(request.headers(), headers, REQUEST_HEADERS_SET_HERE);
            if (authorization != null) headers.set("authorization", authorization);
            long sentNanos = System.nanoTime();
            request.response().closeHandler(closed -> upstream.reset());
            upstream.send(upstreamBody).onComplete(answered -> {
                if (answered.failed()) {
                    upstreamFailedBeforeResponse(request, version, answered.cause());
                } else {
                    relay(request, upstream, answered.result(), table, decision, startNanos, sentNanos);
                }
            });
        });
    }

    private void relay(HttpServerRequest request, HttpClientRequest upstream, HttpClientResponse answer,
                       RouteTable table, RouteDecision decision, long startNanos, long sentNanos) {
        HttpServerResponse response = request.response();
        long headersNanos = System.nanoTime();
        response.setStatusCode(answer.statusCode());
        MultiMap headers = response.headers();
        HopByHop.copy(answer.headers(), headers, RESPONSE_HEADERS_SET_HERE);
        if (!headers.contains("content-length")) response.setChunked(true);
        headers.set("x-turnout-alias", decision.alias().name())
                .set("x-turnout-version", decision.version().id())
                .set("x-turnout-revision", Long.toString(table.revision()))
                .set("x-turnout-decision", decision.kind().header())
                .set("server-timing", serverTiming(sentNanos - startNanos, headersNanos - sentNanos));
        boolean eventStream = isEventStream(answer.getHeader("content-type"));
        answer.pipe().endOnFailure(false).to(response).onFailure(error -> {
            if (response.ended()) return;
            if (response.closed()) {
                upstream.reset();
            } else if (eventStream) {
                // The client already holds a 200 and part of the stream: tell it in-band, then close cleanly.
                response.end(Buffer.buffer("data: " + new OpenAiError(502, "upstream_error",
                        "upstream_stream_interrupted", null, "The model version '" + decision.version().id()
                        + "' stopped mid-stream: " + describe(error)).toJson() + "\n\n"));
            } else {
                response.reset();
            }
        });
    }

    private String upstreamAuthorization(HttpServerRequest request, ModelVersion version) {
        if (version.passAuth()) return request.getHeader("authorization");
        if (version.apiKeyEnv() == null) return null;
        String key = environment.apply(version.apiKeyEnv());
        return key == null || key.isEmpty() ? null : "Bearer " + key;
    }

    private static void upstreamFailedBeforeResponse(HttpServerRequest request, ModelVersion version, Throwable error) {
        OpenAiError openAiError;
        if (error instanceof TimeoutException) {
            openAiError = new OpenAiError(504, "upstream_error", "upstream_timeout", null, "The model version '"
                    + version.id() + "' did not answer within " + version.timeoutMs() + " ms.");
        } else if (error instanceof ConnectException) {
            openAiError = new OpenAiError(502, "upstream_error", "upstream_unreachable", null, "The model version '"
                    + version.id() + "' at " + version.url().getHost() + ":" + version.port() + " is unreachable: "
                    + describe(error));
        } else {
            openAiError = new OpenAiError(502, "upstream_error", "upstream_failed", null, "The model version '"
                    + version.id() + "' failed: " + describe(error));
        }
        fail(request, openAiError);
    }

    private static void fail(HttpServerRequest request, OpenAiError error) {
        error.send(request.response());
    }

    static boolean isEventStream(String contentType) {
        return contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith("text/event-stream");
    }

    private static String serverTiming(long gatewayNanos, long upstreamNanos) {
        return "turnout;dur=" + millis(gatewayNanos) + ", upstream;dur=" + millis(upstreamNanos);
    }

    private static String millis(long nanos) {
        long micros = nanos / 1000;
        return micros / 1000 + "." + String.format("%03d", micros % 1000);
    }

    private static String describe(Throwable error) {
        return error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
    }
}
