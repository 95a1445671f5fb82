package dev.turnout.proxy;

import dev.turnout.route.VersionSelector;
import dev.turnout.shadow.ShadowDispatcher;
import dev.turnout.upstream.UpstreamPools;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;

/**
 * The data plane on one event loop. Deployed once per event loop: Vert.x spreads connections
 * across the instances, and each instance keeps its own upstream and shadow pools, so a request
 * and its upstream connections share a thread and nothing crosses threads on the hot path.
 */
public final class GatewayVerticle extends VerticleBase {

    /** Upstream connections per version per event loop. */
    static final int POOL_SIZE_PER_EVENT_LOOP = 256;

    private final DataPlane plane;
    /** How often an event loop that serves no request still checks for a route change, to retire pools. */
    static final long POOL_PRUNE_MS = 1_000;

    private UpstreamPools pools;
    private long pruneTimer;
    private HttpServer server;

    public GatewayVerticle(DataPlane plane) {
        this.plane = plane;
    }

    @Override
    public Future<?> start() {
        pools = new UpstreamPools(vertx, POOL_SIZE_PER_EVENT_LOOP, plane.config().shadow().maxInFlightPerVersion());
        ShadowDispatcher shadows = new ShadowDispatcher(vertx, plane.shadowLimits(), plane.diffs(), plane.config().shadow(),
                plane.environment(), pools);
        pruneTimer = vertx.setPeriodic(POOL_PRUNE_MS, id -> pools.follow(plane.routes().get()));
        ProxyHandler handler = new ProxyHandler(plane, new RoutePlanner(VersionSelector.rendezvous()),
                new Forwarder(vertx, plane, pools), shadows);
        server = vertx.createHttpServer(new HttpServerOptions()
                .setHost(plane.config().server().host())
                .setPort(plane.config().server().port())
                .setTcpNoDelay(true)
                // Plain HTTP/1.1: an h2c upgrade request with a body would otherwise wait for an
                // upgrade that never completes.
                .setHttp2ClearTextEnabled(false)
                .setHandle100ContinueAutomatically(true));
        return server.requestHandler(handler).listen();
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
