package dev.turnout.testing;

import dev.turnout.Gateway;
import dev.turnout.config.GatewayConfig;
import dev.turnout.route.RouteCodec;
import dev.turnout.route.RouteTable;
import dev.turnout.sim.SimOptions;
import dev.turnout.sim.SimServer;
import dev.turnout.store.RouteStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/** Starts real simulators and gateways on ephemeral ports for end-to-end tests. */
public final class Fixtures {

    private Fixtures() {}

    public static <T> T await(Future<T> future) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("future did not complete: " + e, e);
        }
    }

    public static SimServer sim(Vertx vertx, SimOptions options) {
        return await(SimServer.start(vertx, options));
    }

    public static SimServer sim(Vertx vertx, String name) {
        return sim(vertx, SimOptions.defaults(name));
    }

    /** The data plane on loopback with ephemeral ports; admin API on loopback without a token. */
    public static GatewayConfig config(boolean clientAuth, long maxBodyBytes) {
        return GatewayConfig.defaults()
                .withServer(new GatewayConfig.Server("127.0.0.1", 0, maxBodyBytes, clientAuth, 2))
                .withAdmin(new GatewayConfig.Admin("127.0.0.1", 0, null))
                // Lexical verdicts: most tests are about something else than meaning, and assert
                // verdicts that do not wait for noise pairs. SemanticDiffTest turns it on.
                .withDiffs(new GatewayConfig.Diffs("", false, GatewayConfig.Semantic.defaults().withEnabled(false)))
                .withRoutes(Path.of("(test)"));
    }

    public static Gateway gateway(Vertx vertx, String routesYaml) {
        return gateway(vertx, config(false, 4L << 20), RouteCodec.fromYaml(routesYaml), Map.of());
    }

    public static Gateway gateway(Vertx vertx, GatewayConfig config, RouteTable routes, Map<String, String> env) {
        Function<String, String> environment = env::get;
        return await(Gateway.start(vertx, config, RouteStore.memory(100), routes, environment));
    }
}
