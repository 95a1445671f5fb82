package dev.turnout.admin;

import dev.turnout.config.ConfigException;
import dev.turnout.config.GatewayConfig;
import dev.turnout.config.PortInUse;
import dev.turnout.route.RoutePolicy;
import dev.turnout.store.RouteStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.function.Consumer;

/**
 * The admin API on its own port. With tokens, every route but the health probes needs
 * {@code Authorization: Bearer <token>} and a {@code read} token may only look ({@link AdminGuard#authenticate});
 * without one it refuses to
 * bind anywhere but loopback, so an unprotected control plane is never reachable from outside, and
 * {@link AdminGuard} keeps browsers from reaching it through a visitor's loopback.
 */
public final class AdminServer {

    private final HttpServer server;

    private AdminServer(HttpServer server) {
        this.server = server;
    }

    /** With the default allow-list for {@code apiKeyEnv} ({@code *_API_KEY}). */
    public static Future<AdminServer> start(Vertx vertx, GatewayConfig.Admin config, RouteStore store,
                                            Consumer<Router> extraRoutes) {
        return start(vertx, config, store, new RoutePolicy(GatewayConfig.Server.defaults().apiKeyEnvAllowed()), extraRoutes);
    }

    /**
     * @param policy      what every written table is checked against besides its own rules
     * @param extraRoutes lets other concerns (metrics, diffs) add their routes behind the same
     *                    authentication; may be null
     */
    public static Future<AdminServer> start(Vertx vertx, GatewayConfig.Admin config, RouteStore store, RoutePolicy policy,
                                            Consumer<Router> extraRoutes) {
        if (!config.hasToken() && !isLoopback(config.host())) {
            return Future.failedFuture(new ConfigException("admin.host is '" + config.host() + "' but no admin token "
                    + "is set: set TURNOUT_ADMIN_TOKEN, or bind the admin API to 127.0.0.1"));
        }
        Router router = Router.router(vertx);
        AdminGuard guard = new AdminGuard(config);
        router.route().handler(guard::handle);
        HealthRoutes.mount(router, store);
        ConsoleRoutes.mount(router);
        router.route().handler(guard::authenticate);
        router.get("/admin/session").handler(QueryParams.only(QueryParams.NONE, guard::session));
        new AdminRoutes(store, policy).mount(router);
        if (extraRoutes != null) extraRoutes.accept(router);
        router.route().failureHandler(context -> {
            if (context.failure() != null) AdminErrors.fail(context, context.failure());
            else AdminErrors.send(context, context.statusCode(), "error", "Request failed with status " + context.statusCode(), null);
        });
        router.route().last().handler(context -> AdminErrors.send(context, 404, "not_found",
                "No admin route " + context.request().method() + " " + context.request().path(), null));
        HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost(config.host()).setPort(config.port()));
        return PortInUse.named(server.requestHandler(router).listen(), "the admin API", config.host(), config.port()).map(AdminServer::new);
    }

    static boolean isLoopback(String host) {
        try {
            for (InetAddress address : InetAddress.getAllByName(host)) {
                if (!address.isLoopbackAddress()) return false;
            }
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    public int port() {
        return server.actualPort();
    }

    public Future<Void> close() {
        return server.close();
    }
}
