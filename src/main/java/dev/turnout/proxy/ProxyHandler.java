package dev.turnout.proxy;

import dev.turnout.resilience.Breakers;
import dev.turnout.route.RouteTable;
import dev.turnout.shadow.ShadowDispatcher;
import dev.turnout.shadow.ShadowRequest;
import dev.turnout.upstream.Role;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The data plane's front door, one per event loop. Per request:
 * <pre>
 *   target (normal origin-form path) -> identity -> charset -> body (capped in size, budget and time)
 *     -> inspect (UTF-8, one streaming pass) -> plan (alias, version)
 *     -> breaker admission (fallback when open) -> shadows sampled -> {@link Forwarder}
 * </pre>
 * One {@link RouteTable} snapshot is read at the start and used for the whole request. Whatever
 * throws on the way answers 500 {@code internal_error} and closes the connection; the body's
 * budget reservation goes with the exchange ({@link ConnectionGuard}).
 */
final class ProxyHandler {

    private static final Logger LOG = Logger.getLogger(ProxyHandler.class.getName());

    // Never forwarded as is: the proxy sets these itself, or they identify the caller to the gateway only.
    static final HopByHop.Names REQUEST_HEADERS_SET_HERE = new HopByHop.Names("host", "content-length", "authorization",
            "x-turnout-client", "accept-encoding", "expect");

    private final DataPlane plane;
    private final RoutePlanner planner;
    private final Forwarder forwarder;
    private final ShadowDispatcher shadows;
    private final BodyReader bodies;

    ProxyHandler(DataPlane plane, RoutePlanner planner, Forwarder forwarder, ShadowDispatcher shadows, BodyReader bodies) {
        this.plane = plane;
        this.planner = planner;
        this.forwarder = forwarder;
        this.shadows = shadows;
        this.bodies = bodies;
    }

    void handle(HttpServerRequest request, ConnectionGuard connection) {
        long startNanos = System.nanoTime();
        try {
            route(request, connection, startNanos);
        } catch (RuntimeException e) {
            internalError(request, startNanos, e);
        }
    }

    private void route(HttpServerRequest request, ConnectionGuard connection, long startNanos) {
        RouteTable table = plane.routes().get();
        OpenAiError badTarget = RequestTarget.check(request.uri());
        if (badTarget != null) {
            reject(request, startNanos, badTarget);
            return;
        }
        String path = request.path();
        if (!path.startsWith("/v1/")) {
            reject(request, startNanos, new OpenAiError(404, "invalid_request_error", "unknown_url", null,
                    "Unknown request URL: " + request.method() + " " + path + ". Turnout serves the OpenAI API under /v1/."));
            return;
        }
        ClientIdentity identity = ClientIdentity.resolve(table, request.getHeader("authorization"),
                request.getHeader("x-turnout-client"), plane.config().server().clientAuth());
        if (identity == null) {
            reject(request, startNanos, OpenAiError.unauthorized("Incorrect or missing API key. Send the key this gateway "
                    + "issued to your client as 'Authorization: Bearer <key>'."));
            return;
        }
        if (request.method() == HttpMethod.GET && (path.equals("/v1/models") || path.startsWith("/v1/models/"))) {
            ModelsEndpoint.respond(table, identity, path, request.response());
            return;
        }
        if (request.method() != HttpMethod.POST) {
            request.response().putHeader("allow", "POST");
            reject(request, startNanos, new OpenAiError(405, "invalid_request_error", "method_not_allowed", null,
                    "Method " + request.method() + " is not allowed on " + path + "; model requests use POST."));
            return;
        }
        OpenAiError badCharset = JsonEncoding.checkCharset(request.getHeader("content-type"));
        if (badCharset != null) {
            reject(request, startNanos, badCharset);
            return;
        }
        long declared = BodyReader.declaredLength(request);
        if (declared > bodies.maxBytes()) {
            refuseUnread(request, startNanos, bodies.tooLarge(), declared);
            return;
        }
        BodyBudget.Reservation reservation = connection.reserve(plane.bodyBudget());
        if (declared > 0 && !reservation.cover(declared)) {
            refuseUnread(request, startNanos, BodyReader.overloaded(), declared);
            return;
        }
        // Sent only now that the body is wanted: a refused client never sends it.
        if (BodyReader.expectsContinue(request)) request.response().writeContinue();
        bodies.read(request, declared, reservation, connection).onComplete(read -> {
            try {
                if (read.failed()) {
                    bodyFailed(request, startNanos, read.cause());
                } else {
                    proxy(request, connection, table, identity, read.result(), startNanos);
                }
            } catch (RuntimeException e) {
                internalError(request, startNanos, e);
            }
        });
    }

    private void proxy(HttpServerRequest request, ConnectionGuard connection, RouteTable table, ClientIdentity identity, BodyReader.Body body,
                       long startNanos) {
        RouteDecision decision;
        InspectedRequest inspected;
        try {
            plane.faults().at(FaultInjector.Stage.INSPECT);
            inspected = RequestInspector.inspect(body.bytes(), body.length());
            plane.faults().at(FaultInjector.Stage.PLAN);
            decision = admit(table, planner.plan(table, identity, inspected, request::getHeader));
        } catch (RequestInspector.InvalidBodyException e) {
            reject(request, startNanos, OpenAiError.badRequest(e.code(), e.param(), e.getMessage()));
            return;
        } catch (RoutePlanner.PlanException e) {
            if (e.retryAfterSeconds() > 0) request.response().putHeader("retry-after", Long.toString(e.retryAfterSeconds()));
            // A refusal of a routed alias (its version's breaker open) is counted under that alias and version, so
            // an alias's error share includes what its clients got; an unknown model names nothing.
            RouteDecision refused = e.refused();
            reject(request, startNanos, e.error(), refused == null ? null : refused.alias().name(),
                    refused == null ? null : refused.version().id());
            return;
        }
        ProxyCall call = new ProxyCall(request, connection, table, inspected, body.bytes(), body.length(), startNanos, decision);
        try {
            // The copy (headers, body, request id) is made only for an alias that has shadows.
            if (shadowable(request.path()) && !decision.alias().shadows().isEmpty()) {
                call.capture = shadows.begin(shadowRequest(call));
            }
            // Recorded like shadows: only what can be replayed and compared; the recorder samples.
            if (shadowable(request.path()) && plane.recorder() != null) {
                call.recording = plane.recorder().begin(decision.alias().name(), decision.version().id(),
                        request.path().substring("/v1".length()), request.getHeader("x-request-id"), call.body,
                        call.bodyLength, startNanos);
            }
            forwarder.start(call);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "request failed before it was forwarded", e);
            // admit() took a permit; until the first attempt the forwarder may not have taken it over.
            if (call.attempts == 0) call.permitHeld = true;
            forwarder.internalError(call);
        }
    }

    /** A request refused before its body was read: drained when worth it, else cut with the answer. */
    private void refuseUnread(HttpServerRequest request, long startNanos, BodyReader.RefusedBodyException refused,
                              long declared) {
        // A client that waits for 100 Continue sends no body after a final answer: nothing to drain.
        boolean close = BodyReader.expectsContinue(request) || bodies.notWorthDraining(declared);
        if (!close) bodies.drain(request);
        answer(request, startNanos, refused, close);
    }

    private void bodyFailed(HttpServerRequest request, long startNanos, Throwable cause) {
        if (cause instanceof BodyReader.RefusedBodyException refused) {
            answer(request, startNanos, refused, refused.closeConnection());
        } else {
            internalError(request, startNanos, cause);
        }
    }

    private void answer(HttpServerRequest request, long startNanos, BodyReader.RefusedBodyException refused, boolean close) {
        if (refused.retryAfterSeconds() > 0) request.response().putHeader("retry-after", Integer.toString(refused.retryAfterSeconds()));
        count(request, startNanos, refused.error());
        if (close) refused.error().sendAndClose(request);
        else refused.error().send(request.response());
    }

    /** The chosen version if its breaker lets the call through, else the alias's fallback, else 503. */
    private RouteDecision admit(RouteTable table, RouteDecision decision) {
        if (plane.breakers().tryAcquire(decision.version())) return decision;
        RouteDecision fallback = forwarder.fallbackFor(table, decision);
        if (fallback != null) return fallback;
        long retryAfter = Breakers.retryAfterSeconds(decision.version());
        throw new RoutePlanner.PlanException(retryAfter, new OpenAiError(503, "upstream_error", "version_unavailable", null,
                "The model version '" + decision.version().id() + "' behind '" + decision.alias().name() + "' is failing "
                        + "and its circuit breaker is open" + (decision.alias().fallback() == null
                        ? "; the alias has no fallback version." : "; its fallback is unavailable too.")
                        + " Retry after " + retryAfter + " s."), decision);
    }

    /** Chat, legacy completions and Responses API answers are compared; embeddings and other endpoints are not shadowed. */
    private static boolean shadowable(String path) {
        return path.equals("/v1/chat/completions") || path.equals("/v1/completions") || path.equals("/v1/responses");
    }

    private ShadowRequest shadowRequest(ProxyCall call) {
        HttpServerRequest request = call.request;
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        HopByHop.copy(request.headers(), headers, REQUEST_HEADERS_SET_HERE);
        String id = request.getHeader("x-request-id");
        return new ShadowRequest(id != null ? id : UUID.randomUUID().toString(), call.table, call.decision.alias(),
                call.decision.version(), request.uri().substring("/v1".length()), headers, request.getHeader("authorization"),
                model -> spliceModel(call, model), java.util.Arrays.copyOf(call.body, call.bodyLength), call.inspected.wantsJson());
    }

    /** The client's body with {@code model} replaced, bytes before and after copied as they are. */
    static Buffer spliceModel(ProxyCall call, String model) {
        byte[] quoted = RequestInspector.jsonString(model);
        InspectedRequest inspected = call.inspected;
        Buffer out = Buffer.buffer(call.bodyLength - (inspected.modelEnd() - inspected.modelStart()) + quoted.length);
        out.appendBytes(call.body, 0, inspected.modelStart());
        out.appendBytes(quoted);
        out.appendBytes(call.body, inspected.modelEnd(), call.bodyLength - inspected.modelEnd());
        return out;
    }

    private void reject(HttpServerRequest request, long startNanos, OpenAiError error) {
        reject(request, startNanos, error, null, null);
    }

    private void reject(HttpServerRequest request, long startNanos, OpenAiError error, String alias, String version) {
        count(request, startNanos, error, alias, version);
        // A client waiting for 100 Continue will not send its body now: the connection cannot be reused.
        if (BodyReader.expectsContinue(request) && !request.isEnded()) error.sendAndClose(request);
        else error.send(request.response());
    }

    private void internalError(HttpServerRequest request, long startNanos, Throwable cause) {
        LOG.log(Level.WARNING, "request failed in the gateway", cause);
        OpenAiError error = OpenAiError.internal();
        count(request, startNanos, error);
        error.sendAndClose(request);
    }

    /** Meters and access log for a request answered before it reached an upstream. */
    private void count(HttpServerRequest request, long startNanos, OpenAiError error) {
        count(request, startNanos, error, null, null);
    }

    /** @param alias and {@code version}: from the route table when the request was routed, else null ("none") */
    private void count(HttpServerRequest request, long startNanos, OpenAiError error, String alias, String version) {
        plane.metrics().request(alias == null ? "none" : alias, version == null ? "none" : version, Role.PRIMARY.label(), "n/a",
                "rejected_" + error.status());
        double ms = (System.nanoTime() - startNanos) / 1e6;
        plane.accessLog().log(new AccessLog.Entry(System.currentTimeMillis(), request.method().name(), request.path(),
                alias, version, null, error.status(), "rejected", 0, ms, ms, null, 0, 0, false, request.getHeader("traceparent")));
    }
}
