package dev.turnout.proxy;

import dev.turnout.config.GatewayConfig;
import dev.turnout.config.PortInUse;
import dev.turnout.route.VersionSelector;
import dev.turnout.shadow.ShadowDispatcher;
import dev.turnout.upstream.UpstreamPools;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The data plane on one event loop. Deployed once per event loop: Vert.x spreads connections
 * across the instances, and each instance keeps its own upstream and shadow pools, so a request
 * and its upstream connections share a thread and nothing crosses threads on the hot path.
 */
public final class GatewayVerticle extends VerticleBase {

    /** Upstream connections per version per event loop. */
    static final int POOL_SIZE_PER_EVENT_LOOP = 256;

    private final DataPlane plane;
    private final ConnectionLimit connectionLimit;
    /** How often an event loop that serves no request still checks for a route change, to retire pools. */
    static final long POOL_PRUNE_MS = 1_000;

    /** The guards of this instance's open connections; only touched from its event loop. */
    private final Map<HttpConnection, ConnectionGuard> connections = new HashMap<>();
    private UpstreamPools pools;
    private long pruneTimer;
    private HttpServer server;

    /** One instance alone: the connection limit is its own. */
    public GatewayVerticle(DataPlane plane) {
        this(plane, new ConnectionLimit(plane.config().server().maxConnections()));
    }

    /** @param connectionLimit shared by every instance of the data plane */
    public GatewayVerticle(DataPlane plane, ConnectionLimit connectionLimit) {
        this.plane = plane;
        this.connectionLimit = connectionLimit;
    }

    @Override
    public Future<?> start() {
        GatewayConfig.Server settings = plane.config().server();
        pools = new UpstreamPools(vertx, POOL_SIZE_PER_EVENT_LOOP, plane.config().shadow().maxInFlightPerVersion());
        ShadowDispatcher shadows = new ShadowDispatcher(vertx, plane.shadowLimits(), plane.diffs(), plane.config().shadow(),
                plane.environment(), pools);
        pruneTimer = vertx.setPeriodic(POOL_PRUNE_MS, id -> pools.follow(plane.routes().get()));
        ProxyHandler handler = new ProxyHandler(plane, new RoutePlanner(VersionSelector.rendezvous()),
                new Forwarder(vertx, plane, pools), shadows,
                new BodyReader(vertx, settings.maxBodyBytes(), settings.bodyTimeoutMs(), plane.faults()));
        server = vertx.createHttpServer(new HttpServerOptions()
                .setHost(settings.host())
                .setPort(settings.port())
                .setTcpNoDelay(true)
                // Plain HTTP/1.1: an h2c upgrade request with a body would otherwise wait for an
                // upgrade that never completes.
                .setHttp2ClearTextEnabled(false)
                .setIdleTimeout((int) Math.min(Integer.MAX_VALUE, settings.idleTimeoutMs()))
                .setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
                // The handler sends 100 Continue itself, once it knows it wants the body.
                .setHandle100ContinueAutomatically(false)
                // No WebSockets here: without this, every connection carries a permessage-deflate
                // handshaker and its pipeline handler (~200 B of each idle connection's heap).
                .setPerMessageWebSocketCompressionSupported(false)
                .setPerFrameWebSocketCompressionSupported(false)
                // Every response is written from this event loop (the upstream pools are this
                // verticle's too), so writes may skip Vert.x's cross-thread outbound queue.
                .setStrictThreadMode(true));
        server.connectionHandler(this::accept)
                .invalidRequestHandler(GatewayVerticle::answerMalformed)
                .requestHandler(request -> {
                    ConnectionGuard guard = guard(request.connection());
                    guard.requestArrived(request);
                    handler.handle(request, guard);
                });
        return PortInUse.named(server.listen(), "the gateway", settings.host(), settings.port());
    }

    private void accept(HttpConnection connection) {
        if (!connectionLimit.tryOpen()) {
            connection.close();
            return;
        }
        connection.closeHandler(closed -> {
            connectionLimit.closed();
            ConnectionGuard guard = connections.remove(connection);
            if (guard != null) guard.closed();
        });
        guard(connection);
    }

    private ConnectionGuard guard(HttpConnection connection) {
        ConnectionGuard guard = connections.get(connection);
        if (guard == null) {
            ConnectionGuard created = new ConnectionGuard(vertx, connection, plane.config().server().headerTimeoutMs());
            connections.put(connection, created);
            guard = created;
        }
        return guard;
    }

    /**
     * Netty could not parse the request line or headers: say why in OpenAI's shape (its own
     * answers have empty bodies), then close, since the rest of the stream cannot be framed.
     */
    private static void answerMalformed(HttpServerRequest request) {
        Throwable cause = request.decoderResult().cause();
        OpenAiError error;
        if (cause instanceof TooLongHttpLineException) {
            error = new OpenAiError(414, "invalid_request_error", "uri_too_long", null,
                    "The request line is longer than this gateway accepts ("
                            + HttpServerOptions.DEFAULT_MAX_INITIAL_LINE_LENGTH + " bytes).");
        } else if (cause instanceof TooLongHttpHeaderException) {
            error = new OpenAiError(431, "invalid_request_error", "headers_too_large", null,
                    "The request headers are larger than this gateway accepts ("
                            + HttpServerOptions.DEFAULT_MAX_HEADER_SIZE + " bytes in all).");
        } else {
            error = OpenAiError.badRequest("invalid_http_request", null, "The request is not valid HTTP/1.1"
                    + (cause == null || cause.getMessage() == null ? "." : ": " + cause.getMessage()));
        }
        error.sendAndClose(request);
    }

    @Override
    public Future<?> stop() {
        vertx.cancelTimer(pruneTimer);
        pools.closeAll();
        return server.close();
    }

    public int actualPort() {
        return server.actualPort();
    }
}
