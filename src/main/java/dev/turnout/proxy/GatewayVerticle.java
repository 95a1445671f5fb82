package dev.turnout.proxy;

import dev.turnout.config.GatewayConfig;
import dev.turnout.route.RouteTable;
import dev.turnout.route.VersionSelector;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The data plane on one event loop. Deployed once per event loop: Vert.x spreads connections
 * across the instances, and each instance keeps its own upstream pools, so a request and its
 * upstream connection share a thread and nothing is handed across threads on the hot path.
 */
public final class GatewayVerticle extends VerticleBase {

    /** Upstream connections per version per event loop. */
    static final int POOL_SIZE_PER_EVENT_LOOP = 256;

    private final GatewayConfig.Server config;
    private final Supplier<RouteTable> routes;
    private final Function<String, String> environment;
    private Upstreams upstreams;
    private HttpServer server;

    public GatewayVerticle(GatewayConfig.Server config, Supplier<RouteTable> routes,
                           Function<String, String> environment) {
        this.config = config;
        this.routes = routes;
        this.environment = environment;
    }

    @Override
    public Future<?> start() {
        upstreams = new Upstreams(vertx, POOL_SIZE_PER_EVENT_LOOP);
        ProxyHandler handler = new ProxyHandler(routes, new RoutePlanner(VersionSelector.rendezvous()), config,
                upstreams, environment);
        server = vertx.createHttpServer(new HttpServerOptions()
                .setHost(config.host())
                .setPort(config.port())
                .setTcpNoDelay(true)
                // Plain HTTP/1.1 (and TLS-negotiated HTTP/2 when added): an h2c upgrade request with a
                // body would otherwise wait for an upgrade that never completes.
                .setHttp2ClearTextEnabled(false)
                .setHandle100ContinueAutomatically(true));
        return server.requestHandler(handler).listen();
    }

    @Override
    public Future<?> stop() {
        upstreams.closeAll();
        return server.close();
    }

    public int actualPort() {
        return server.actualPort();
    }
}
