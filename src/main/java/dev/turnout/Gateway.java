package dev.turnout;

import static java.util.Objects.requireNonNull;

import dev.turnout.admin.AdminServer;
import dev.turnout.config.ConfigException;
import dev.turnout.config.GatewayConfig;
import dev.turnout.proxy.GatewayVerticle;
import dev.turnout.route.InvalidRoutesException;
import dev.turnout.route.RouteCodec;
import dev.turnout.route.RouteTable;
import dev.turnout.store.RouteStore;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * One running gateway: the store with its applied table, the data plane on every event loop, and
 * the admin API. What {@code serve} and {@code demo} start, and what end-to-end tests start.
 */
public final class Gateway {

    private static final Logger LOG = Logger.getLogger(Gateway.class.getName());

    private final Vertx vertx;
    private final RouteStore store;
    private final String deploymentId;
    private final int port;
    private final AdminServer admin;

    private Gateway(Vertx vertx, RouteStore store, String deploymentId, int port, AdminServer admin) {
        this.vertx = vertx;
        this.store = store;
        this.deploymentId = deploymentId;
        this.port = port;
        this.admin = admin;
    }

    /** Starts the store (seeding it with {@code seed} if it holds nothing) and the data plane. */
    public static Future<Gateway> start(Vertx vertx, GatewayConfig config, RouteStore store, RouteTable seed,
                                        Function<String, String> environment) {
        requireNonNull(config, "config");
        int instances = config.server().eventLoops() > 0 ? config.server().eventLoops()
                : Runtime.getRuntime().availableProcessors();
        List<GatewayVerticle> deployed = new CopyOnWriteArrayList<>();
        return store.start(seed)
                .compose(applied -> {
                    LOG.info("serving route revision " + applied.revision() + " (" + applied.aliases().size()
                            + " aliases, " + applied.versions().size() + " versions)");
                    return vertx.deployVerticle(() -> {
                        GatewayVerticle verticle = new GatewayVerticle(config.server(), store::current, environment);
                        deployed.add(verticle);
                        return verticle;
                    }, new DeploymentOptions().setInstances(instances));
                })
                .compose(id -> AdminServer.start(vertx, config.admin(), store, null)
                        .map(admin -> new Gateway(vertx, store, id, deployed.get(0).actualPort(), admin))
                        .recover(failed -> vertx.undeploy(id).transform(ignored -> Future.failedFuture(failed))));
    }

    /** Reads and validates a routes file; the exception names the file and every bad field. */
    public static RouteTable readRoutes(Path file) {
        try {
            return RouteCodec.fromYaml(Files.readString(file));
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read the routes file: " + e.getMessage());
        } catch (InvalidRoutesException e) {
            throw new ConfigException(file + ":\n  " + String.join("\n  ", e.errors()));
        }
    }

    public int port() {
        return port;
    }

    public int adminPort() {
        return admin.port();
    }

    public RouteStore store() {
        return store;
    }

    public Future<Void> close() {
        return admin.close().eventually(() -> vertx.undeploy(deploymentId)).eventually(store::close);
    }
}
